use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::my_claims,
    components::{
        claim::{ClaimConfirmation, ClaimDetails},
        error::ErrorMessage,
    },
    i18n::*,
};

/// A client's claims, with what is needed to collect each one. `?claimed={listing}` (where a
/// claim made without JavaScript lands) confirms that claim at the top.
#[component]
pub fn MyClaimsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let just_claimed = move || {
        query
            .read()
            .get("claimed")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let claims = Resource::new(|| (), |_| my_claims());

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match claims.await {
                    Ok(list) => {
                        let confirmed = list.iter().find(|c| Some(c.listing_id) == just_claimed()).cloned();
                        view! {
                            {confirmed.map(|claim| view! { <ClaimConfirmation claim /> })}
                            <section class="panel">
                                <h1>{t!(i18n, my_claims_title)}</h1>
                                {if list.is_empty() {
                                    view! { <p class="empty">{t!(i18n, my_claims_empty)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="rows">
                                            {list.into_iter().map(|claim| view! { <li class="row-item"><ClaimDetails claim /></li> }).collect_view()}
                                        </ul>
                                    }
                                    .into_any()
                                }}
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <section class="panel"><ErrorMessage error /></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}
