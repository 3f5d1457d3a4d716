use leptos::prelude::*;

use crate::{
    api::my_claims,
    components::{claim::ClaimDetails, error::ErrorMessage},
    i18n::*,
};

/// A client's claims, with what is needed to collect each one.
#[component]
pub fn MyClaimsPage() -> impl IntoView {
    let i18n = use_i18n();
    let claims = Resource::new(|| (), |_| my_claims());

    view! {
        <section class="panel">
            <h1>{t!(i18n, my_claims_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match claims.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{t!(i18n, my_claims_empty)}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="rows">
                                {list.into_iter().map(|claim| view! { <li class="row-item"><ClaimDetails claim /></li> }).collect_view()}
                            </ul>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
