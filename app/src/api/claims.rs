use leptos::prelude::*;

use crate::{dto::ClaimView, error::AppError};

/// Claims a listing. Clients only. Whoever loses a race gets a 409 with
/// `Unavailable { state: Claimed }`: "someone else has just claimed this".
#[server(endpoint = "claim_listing")]
pub async fn claim_listing(listing_id: i64) -> Result<ClaimView, AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            let state = app_state()?;
            let now = domain::clock::now();
            let claim =
                domain::claims::claim(&state.db, state.events.as_ref(), actor, listing_id, now)
                    .await?;
            // Hydrated, the page shows the answer in place; a plain form post goes to the
            // client's claims, where the new one is confirmed.
            if auth::is_plain_form_post() {
                leptos_axum::redirect(&format!("/claims?claimed={listing_id}"));
            }
            Ok(claim)
        }
        .await,
    )
}

/// The logged-in client's claims, newest first, with each business's contact details.
#[server(endpoint = "my_claims")]
pub async fn my_claims() -> Result<Vec<ClaimView>, AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            domain::claims::mine(&app_state()?.db, actor).await
        }
        .await,
    )
}
