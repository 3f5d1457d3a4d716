use leptos::prelude::*;
use leptos_router::components::A;

use crate::{components::language::LanguageSwitch, i18n::*};

/// Header, main column and footer around every page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();

    view! {
        <header class="site-header">
            <div class="bar">
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    {t!(i18n, site_name)}
                </A>
                <nav class="main-nav">
                    <A href="/">{t!(i18n, nav_home)}</A>
                </nav>
                <LanguageSwitch />
            </div>
        </header>
        <main class="content">{children()}</main>
        <footer class="site-footer">
            <p>{t!(i18n, footer_note)}</p>
        </footer>
    }
}
