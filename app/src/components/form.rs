use leptos::prelude::*;

use crate::{
    components::error::{error_text, problem_text},
    dto::KeptForm,
    error::{AppError, Field},
    i18n::*,
};

/// The last answer of a form's action and what the form held when it was last refused
/// without JavaScript, read by each field.
#[derive(Clone, Copy)]
pub struct FormState {
    pub error: Signal<Option<AppError>>,
    pub kept: StoredValue<KeptForm>,
}

impl FormState {
    pub fn new<T>(
        result: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
        kept: KeptForm,
    ) -> Self {
        FormState {
            error: Signal::derive(move || result.get().and_then(Result::err)),
            kept: StoredValue::new(kept),
        }
    }
}

/// A labelled input with its hint and, after a refused submit, what is wrong with it.
#[component]
pub fn TextField(
    form: FormState,
    field: Field,
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<Signal<String>>,
    #[prop(optional)] maxlength: Option<usize>,
    #[prop(optional)] minlength: Option<usize>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let problem = move || {
        form.error
            .get()
            .and_then(|e| e.problem(field).map(|p| problem_text(i18n, p)))
    };
    // Passwords are never put back into a form.
    let value = (kind != "password").then(|| {
        form.kept
            .with_value(|kept| kept.get(name).cloned().unwrap_or_default())
    });
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if problem().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };

    view! {
        <div class="field" class:invalid=move || problem().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=true
                autocomplete=autocomplete
                maxlength=maxlength
                minlength=minlength
                aria-invalid=move || problem().is_some().then_some("true")
                aria-describedby=described_by
            />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            {move || problem().map(|text| view! { <p class="field-error" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

/// The form-wide message after a refused submit (wrong password, too many attempts, ...).
#[component]
pub fn FormAlert(form: FormState) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        form.error
            .get()
            .map(|error| view! { <p class="alert error" role="alert">{move || error_text(i18n, &error)}</p> })
    }
}
