use leptos::prelude::*;

use leptos_i18n::context::CookieOptions;

use crate::{api::SetLanguage, i18n::*};

/// How long the chosen language is remembered.
pub const COOKIE_MAX_AGE_SECS: i64 = 365 * 24 * 60 * 60;

/// The language cookie as the browser writes it: for the whole site (not only the path it
/// was chosen on) and for a year, like the one `/lang/{code}` sets.
pub fn cookie_options() -> CookieOptions<Locale> {
    CookieOptions::default()
        .path("/")
        .max_age(COOKIE_MAX_AGE_SECS * 1000)
}

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
                                language: code.to_owned(),
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
