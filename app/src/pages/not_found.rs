use leptos::prelude::*;
use leptos_router::components::A;

use crate::{components::layout::PageTitle, i18n::*};

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();

    view! {
        <section class="panel">
            <PageTitle title=t_string!(i18n, not_found_title).to_string() />
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, not_found_body)}</p>
            <A href="/">{t!(i18n, back_home)}</A>
        </section>
    }
}
