use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::{
    components::{auth::Auth, layout::Layout},
    i18n::*,
    locale,
    pages::{
        account::AccountPage,
        business::BusinessPage,
        claims::MyClaimsPage,
        home::HomePage,
        listings::{BrowsePage, EditListingPage, ListingPage, NewListingPage},
        login::LoginPage,
        not_found::NotFound,
        register::{RegisterBusinessPage, RegisterChoicePage, RegisterClientPage},
    },
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#1f7a4d" />
                <link rel="icon" href="/favicon.ico" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                // Offline and flaky connections: the last pages seen (public/sw.js). Needs no WASM.
                <script>
                    "if ('serviceWorker' in navigator) addEventListener('load', () => navigator.serviceWorker.register('/sw.js'));"
                </script>
                // The versioned path of the site's files (see the server's `assets`).
                <link
                    rel="stylesheet"
                    id="leptos"
                    href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
                />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    Auth::provide();

    // Every route renders Async: the server waits for the data, so each page is complete
    // before any JavaScript runs (and when it never does).
    view! {
        <I18nContextProvider cookie_options=locale::cookie_options()>
            <Title text="FoodBridge" />
            <Router>
                <Layout>
                    <Routes fallback=NotFound>
                        <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("/register") view=RegisterChoicePage ssr=SsrMode::Async />
                        <Route path=path!("/register/business") view=RegisterBusinessPage ssr=SsrMode::Async />
                        <Route path=path!("/register/client") view=RegisterClientPage ssr=SsrMode::Async />
                        <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                        <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                        <Route path=path!("/business") view=BusinessPage ssr=SsrMode::Async />
                        <Route path=path!("/browse") view=BrowsePage ssr=SsrMode::Async />
                        <Route path=path!("/claims") view=MyClaimsPage ssr=SsrMode::Async />

                        <Route path=path!("/listings/new") view=NewListingPage ssr=SsrMode::Async />
                        <Route path=path!("/listings/:id") view=ListingPage ssr=SsrMode::Async />
                        <Route path=path!("/listings/:id/edit") view=EditListingPage ssr=SsrMode::Async />

                    </Routes>
                </Layout>
            </Router>
        </I18nContextProvider>
    }
}
