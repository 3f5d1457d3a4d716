use leptos::prelude::*;

use crate::{api::SetLanguage, i18n::*, locale::language_of};

/// EN | FR. Each is a plain link to `/lang/{code}`, which sets the language cookie and comes
/// back, so it works before the WASM has loaded; once hydrated, a click switches in place
/// (leptos_i18n writes the same cookie). Either way a logged-in user's choice is remembered
/// for the emails FoodBridge sends them.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let remember = ServerAction::<SetLanguage>::new();

    let links = Locale::get_all()
        .iter()
        .copied()
        .map(|locale| {
            let code = locale.as_str();
            view! {
                <a
                    href=format!("/lang/{code}")
                    hreflang=code
                    lang=code
                    aria-current=move || (i18n.get_locale() == locale).then_some("true")
                    on:click=move |ev| {
                        ev.prevent_default();
                        i18n.set_locale(locale);
                        remember
                            .dispatch(SetLanguage {
                                language: language_of(locale),
                            });
                    }
                >
                    {code.to_uppercase()}
                </a>
            }
        })
        .collect_view();

    view! {
        <nav class="lang-switch" aria-label=move || t_string!(i18n, language)>
            {links}
        </nav>
    }
}
