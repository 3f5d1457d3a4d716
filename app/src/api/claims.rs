use leptos::prelude::*;

use crate::{
    dto::{ClaimView, ListingId, Page},
    error::AppError,
};

/// Claims a listing. Clients only. Whoever loses a race gets a 409 with
/// `Unavailable { state: Claimed }`: "someone else has just claimed this".
#[server(endpoint = "claim_listing")]
pub async fn claim_listing(listing_id: ListingId) -> Result<ClaimView, AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            let state = app_state()?;
            let now = domain::clock::now();
            let claimed =
                domain::claims::claim(&state.db, state.events.as_ref(), actor, listing_id.0, now)
                    .await;
            let outcome = match &claimed {
                Ok(_) => Some("won"),
                Err(domain::error::DomainError::Unavailable(crate::dto::ListingState::Claimed)) => {
                    Some("lost")
                }
                Err(_) => None,
            };
            if let Some(outcome) = outcome {
                metrics::counter!("foodbridge_claims_total", "outcome" => outcome).increment(1);
            }
            let claim = claimed?;
            // Hydrated, the page shows the answer in place; a plain form post goes to the
            // client's claims, where the new one is confirmed.
            if crate::request::is_plain_form_post() {
                leptos_axum::redirect(&format!("/claims?claimed={}", listing_id.0));
            }
            Ok(claim)
        }
        .await,
    )
}

/// The logged-in client's claims, newest first, with each business's contact details; a page
/// at a time (`after`: the previous page's `next`).
#[server(endpoint = "my_claims")]
pub async fn my_claims(after: Option<String>) -> Result<Page<ClaimView>, AppError> {
    use crate::{api::respond, auth, domain, limits::OWN_PAGE_SIZE, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            Ok(
                domain::claims::mine(&app_state()?.db, actor, after.as_deref(), OWN_PAGE_SIZE)
                    .await?,
            )
        }
        .await,
    )
}
