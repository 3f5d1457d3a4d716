use chrono::Utc;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{CancelClaim, RecordPickup, my_claims},
    components::{
        claim::{ClaimActions, ClaimConfirmation, ClaimDetails, ClaimSteps},
        error::ErrorMessage,
        layout::PageTitle,
        live::{LiveScope, LiveWatch, next_change},
        pager::{Pager, after_param},
    },
    dto::{ClaimView, EpochMillis},
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
    let after = after_param();
    let actions = ClaimActions {
        cancel: ServerAction::<CancelClaim>::new(),
        record: ServerAction::<RecordPickup>::new(),
    };
    let claims = Resource::new(move || after.get(), my_claims);
    let failed = move || {
        actions
            .cancel
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.record.value().get().and_then(Result::err))
    };

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match claims.await {
                    Ok(page) => {
                        let confirmed = page.items.iter().find(|c| Some(c.listing_id) == just_claimed()).cloned();
                        let now = Utc::now();
                        let changes_at = next_change(now, page.items.iter().filter(|c| c.outcome.is_none()).flat_map(changes));
                        view! {
                            <LiveWatch scope=LiveScope::Mine changes_at=changes_at.map(EpochMillis) checked_at=now />
                            {confirmed.map(|claim| view! { <ClaimConfirmation claim /> })}
                            <section class="panel">
                                <PageTitle title=t_string!(i18n, my_claims_title).to_string() />
                                <h1>{t!(i18n, my_claims_title)}</h1>
                                {move || failed().map(|error| view! { <ErrorMessage error /> })}
                                {if page.items.is_empty() && after.get_untracked().is_none() {
                                    view! { <p class="empty">{t!(i18n, my_claims_empty)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="rows">
                                            {page.items.into_iter().map(|claim| view! {
                                                <li class="row-item">
                                                    <ClaimDetails claim=claim.clone()>
                                                        <ClaimSteps claim actions />
                                                    </ClaimDetails>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                        <Pager path="/claims" next=page.next />
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

/// When a claim changes by itself on the page: its pickup may be recorded, its deadline passes.
fn changes(claim: &ClaimView) -> [chrono::DateTime<Utc>; 2] {
    [claim.pickup_starts(), claim.available_until]
}
