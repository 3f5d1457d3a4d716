use leptos::prelude::*;

use crate::i18n::*;

/// EN | FR. Each is a plain link to `/lang/{code}`, which sets the language cookie, remembers a
/// logged-in user's choice for the emails FoodBridge sends them, and comes back to the page.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let current = i18n.get_locale_untracked();
    let links = Locale::get_all()
        .iter()
        .map(|&locale| {
            let code = locale.as_str();
            view! {
                <a
                    href=format!("/lang/{code}")
                    hreflang=code
                    lang=code
                    aria-current=(current == locale).then_some("true")
                >
                    {code.to_uppercase()}
                </a>
            }
        })
        .collect_view();

    view! {
        <nav class="lang-switch" aria-label=t_string!(i18n, language)>
            {links}
        </nav>
    }
}
