use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    api::Logout,
    components::{
        auth::Auth,
        language::LanguageSwitch,
        live::{LiveStream, PAGE_ID},
    },
    dto::Role,
    i18n::*,
};

/// The tab's title, in the page's language: the page's own, then the site's. Written once, as
/// text: the document's head is rendered after the page, when the request's reactive values may
/// be gone (a closure read then panics, or reads another request's value).
#[component]
pub fn PageTitle(#[prop(into)] title: String) -> impl IntoView {
    let i18n = use_i18n();
    let text = format!("{title} · {}", t_string!(i18n, site_name));
    view! { <Title text /> }
}

/// Header, main column and footer around every page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let i18n = use_i18n();

    view! {
            <a class="skip-link" href="#content">{t!(i18n, skip_to_content)}</a>
            <header class="site-header">
                <div class="bar">
                    <A href="/" attr:class="brand">
                        <span class="brand-mark" aria-hidden="true">"◆"</span>
                        {t!(i18n, site_name)}
                    </A>
                    <nav class="main-nav">
                        <A href="/browse">{t!(i18n, nav_browse)}</A>
                        <Transition>
    {move || view! { <UserNav /> }}</Transition>
                    </nav>
                    <LanguageSwitch />
                </div>
            </header>
            <main class="content" id="content" tabindex="-1">
                <LiveStream />
                <div id=PAGE_ID>{children()}</div>
            </main>
            <footer class="site-footer">
                <p>{t!(i18n, footer_note)}</p>
            </footer>
        }
}

/// Who is logged in (name and role) with a way out, or the ways in.
#[component]
fn UserNav() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let logout = ServerAction::<Logout>::new();

    move || match auth.user.get().and_then(Result::ok).flatten() {
        Some(user) => {
            let (home, home_label, role_label) = match user.role {
                Role::Business => (
                    "/business",
                    t_string!(i18n, nav_business),
                    t_string!(i18n, role_business),
                ),
                Role::Client => (
                    "/account",
                    t_string!(i18n, nav_account),
                    t_string!(i18n, role_client),
                ),
            };
            view! {
                <A href=home>{home_label}</A>
                {(user.role == Role::Client).then(|| view! { <A href="/claims">{t!(i18n, nav_claims)}</A> })}

                <span class="who" data-testid="who">
                    {user.display_name}
                    " "
                    <span class="role-badge">{role_label}</span>
                </span>
                <ActionForm action=logout attr:class="inline-form">
                    <button type="submit" class="link-button">{t!(i18n, nav_logout)}</button>
                </ActionForm>
            }
            .into_any()
        }
        None => view! {
            <A href="/login">{t!(i18n, nav_login)}</A>
            <A href="/register">{t!(i18n, nav_register)}</A>
        }
        .into_any(),
    }
}
