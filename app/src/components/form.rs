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

    pub fn from_error(error: Signal<Option<AppError>>, kept: KeptForm) -> Self {
        FormState {
            error,
            kept: StoredValue::new(kept),
        }
    }

    /// What is wrong with `field` after a refused submit, in the user's language.
    pub fn message(
        self,
        field: Field,
    ) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
        let i18n = use_i18n();
        move || {
            self.error
                .get()
                .and_then(|e| e.problem(field).map(|p| problem_text(i18n, p)))
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
    /// The value to start from (an existing listing's), unless a refused form kept another.
    #[prop(optional_no_strip)]
    initial: Option<String>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] inputmode: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let problem = form.message(field);
    // Passwords are never put back into a form.
    let value = (kind != "password").then(|| {
        form.kept
            .with_value(|kept| kept.get(name).cloned())
            .or(initial)
            .unwrap_or_default()
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
                required=required
                inputmode=inputmode

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

/// A labelled `<select>` of fixed choices, with its problem after a refused submit.
#[component]
pub fn SelectField(
    form: FormState,
    field: Field,
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    /// `(code, label)` pairs, in order.
    options: Vec<(&'static str, Signal<String>)>,
    /// The value to start from (an existing listing's), unless a refused form kept another.
    #[prop(optional_no_strip)]
    initial: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let problem = form.message(field);
    let selected = form
        .kept
        .with_value(|kept| kept.get(name).cloned())
        .or(initial)
        .unwrap_or_default();
    let options = options
        .into_iter()
        .map(|(code, text)| view! { <option value=code selected=selected == code>{text}</option> })
        .collect_view();

    let described_by = error_link(problem, error_id.clone());

    view! {
        <div class="field" class:invalid=move || problem().is_some()>
            <label for=id.clone()>{label}</label>
            <select
                id=id
                name=name
                required=true
                aria-invalid=move || problem().is_some().then_some("true")
                aria-describedby=described_by
            >
                <option value="" selected=selected.is_empty()>"—"</option>
                {options}
            </select>
            {move || problem().map(|text| view! { <p class="field-error" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

/// A group of checkboxes sharing one name (several values may be sent).
#[component]
pub fn CheckboxGroup(
    form: FormState,
    field: Field,
    name: &'static str,
    #[prop(into)] legend: Signal<String>,
    options: Vec<(&'static str, Signal<String>)>,
    #[prop(optional)] initial: Vec<String>,
) -> impl IntoView {
    let problem = form.message(field);
    let checked: Vec<String> = form
        .kept
        .with_value(|kept| {
            kept.get(name)
                .map(|v| v.split(',').map(str::to_owned).collect())
        })
        .unwrap_or(initial);
    let boxes = options
        .into_iter()
        .map(|(code, text)| {
            let id = format!("field-{name}-{code}");
            let label_for = id.clone();
            view! {
                <label class="check" for=label_for>
                    <input type="checkbox" id=id name=name value=code checked=checked.iter().any(|c| c == code) />
                    {text}
                </label>
            }
        })
        .collect_view();

    let error_id = format!("field-{name}-error");
    let described_by = error_link(problem, error_id.clone());

    view! {
        <fieldset
            class="field checks"
            class:invalid=move || problem().is_some()
            aria-describedby=described_by
        >
            <legend>{legend}</legend>
            <div class="check-list">{boxes}</div>
            {move || problem().map(|text| view! { <p class="field-error" id=error_id.clone()>{text}</p> })}
        </fieldset>
    }
}

/// A labelled `<textarea>`.
#[component]
pub fn TextArea(
    form: FormState,
    field: Field,
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    maxlength: usize,
    #[prop(optional_no_strip)] initial: Option<String>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let problem = form.message(field);
    let value = form
        .kept
        .with_value(|kept| kept.get(name).cloned())
        .or(initial)
        .unwrap_or_default();

    let described_by = error_link(problem, error_id.clone());

    view! {
        <div class="field" class:invalid=move || problem().is_some()>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows="4"
                maxlength=maxlength
                aria-invalid=move || problem().is_some().then_some("true")
                aria-describedby=described_by
            >
                {value}
            </textarea>
            {move || problem().map(|text| view! { <p class="field-error" id=error_id.clone()>{text}</p> })}
        </div>
    }
}

/// `aria-describedby` for a field described only by its problem: the problem's id, while there is
/// one (screen readers then read it with the field).
fn error_link(
    problem: impl Fn() -> Option<String> + Send + Sync + 'static,
    error_id: String,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || problem().is_some().then(|| error_id.clone())
}
