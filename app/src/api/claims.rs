use leptos::prelude::*;

use crate::{
    dto::{ClaimId, ClaimView, ListingId, Outcome, OutcomeView, Page, WaitStatus},
    error::AppError,
};

/// Claims a listing. Clients only. Whoever loses a race gets a 409 with
/// `Unavailable { state: Claimed }`: "someone else has just claimed this"; the client who
/// already holds the claim gets it again (a repeated tap, a retry). Over the fair share
/// (live claims at once, claims a day): a 429 `Refused` saying when they can claim again.
#[server(endpoint = "claim_listing")]
pub async fn claim_listing(listing_id: ListingId) -> Result<ClaimView, AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            let state = app_state()?;
            let _turn = state.claim_turns.take(actor.user_id).await;
            let now = domain::clock::now();
            let claimed = state
                .claims
                .claim(
                    state.events.as_ref(),
                    actor,
                    listing_id.0,
                    now,
                    state.fair_share,
                )
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
            back_to(&format!("/claims?claimed={}", listing_id.0));
            Ok(claim)
        }
        .await,
    )
}

/// Gives a claim back before the listing's deadline. The client's own claims only; the
/// listing is available again at once, and its business and everyone waiting are told.
#[server(endpoint = "cancel_claim")]
pub async fn cancel_claim(claim_id: ClaimId) -> Result<OutcomeView, AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            let state = app_state()?;
            let outcome = domain::claims::cancel(
                &state.db,
                state.events.as_ref(),
                actor,
                claim_id.0,
                domain::clock::now(),
            )
            .await?;
            back_to("/claims");
            Ok(outcome)
        }
        .await,
    )
}

/// Records whether a claim's food was collected (`outcome`: `collected` or `not_collected`),
/// from the pickup start on: the listing's business either way, the client only
/// `collected`. Not collected before the deadline puts the listing back in play.
#[server(endpoint = "record_pickup")]
pub async fn record_pickup(claim_id: ClaimId, outcome: Outcome) -> Result<OutcomeView, AppError> {
    use crate::{api::respond, auth, domain, dto::Role, state::app_state};

    respond(
        async {
            if outcome == Outcome::Cancelled {
                return Err(AppError::BadRequest(
                    "`outcome` must be `collected` or `not_collected` (a claim is cancelled with cancel_claim)"
                        .into(),
                ));
            }
            let actor = auth::require_user().await?;
            let state = app_state()?;
            let recorded = domain::claims::record_pickup(
                &state.db,
                state.events.as_ref(),
                actor,
                claim_id.0,
                outcome,
                domain::clock::now(),
            )
            .await?;
            back_to(match actor.role {
                Role::Business => "/business",
                Role::Client => "/claims",
            });
            Ok(recorded)
        }
        .await,
    )
}

/// Joins (`wait: true`) or leaves the waiting list of a listing another client holds: when it
/// becomes available again, everyone waiting is told at once. Clients only.
#[server(endpoint = "wait_for_listing")]
pub async fn wait_for_listing(listing_id: ListingId, wait: bool) -> Result<bool, AppError> {
    use crate::{api::respond, auth, domain, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            let db = &app_state()?.db;
            if wait {
                domain::claims::wait_for(db, actor, listing_id.0, domain::clock::now()).await?;
            } else {
                domain::claims::stop_waiting(db, actor, listing_id.0).await?;
            }
            back_to(&format!("/listings/{}", listing_id.0));
            Ok(wait)
        }
        .await,
    )
}

/// The claim the logged-in client holds on the listing, if they hold it (none for anyone who
/// is not a logged-in client).
#[server(endpoint = "my_claim_on")]
pub async fn my_claim_on(listing_id: ListingId) -> Result<Option<ClaimView>, AppError> {
    use crate::{api::respond, auth, domain, dto::Role, state::app_state};

    respond(
        async {
            match auth::actor().await? {
                Some(actor) if actor.role == Role::Client => Ok(domain::claims::held(
                    &app_state()?.db,
                    actor,
                    listing_id.0,
                    domain::clock::now(),
                )
                .await?),
                _ => Ok(None),
            }
        }
        .await,
    )
}

/// Whether the logged-in client holds the listing's claim, waits for it, or neither (neither
/// for anyone who is not a logged-in client).
#[server(endpoint = "my_wait_status")]
pub async fn my_wait_status(listing_id: ListingId) -> Result<WaitStatus, AppError> {
    use crate::{api::respond, auth, domain, dto::Role, state::app_state};

    respond(
        async {
            match auth::actor().await? {
                Some(actor) if actor.role == Role::Client => {
                    Ok(domain::claims::wait_status(&app_state()?.db, actor, listing_id.0).await?)
                }
                _ => Ok(WaitStatus::NotWaiting),
            }
        }
        .await,
    )
}

/// The logged-in client's claims, newest first, with each business's contact details and what
/// became of each claim; a page at a time (`after`: the previous page's `next`).
#[server(endpoint = "my_claims")]
pub async fn my_claims(after: Option<String>) -> Result<Page<ClaimView>, AppError> {
    use crate::{api::respond, auth, domain, limits::OWN_PAGE_SIZE, state::app_state};

    respond(
        async {
            let actor = auth::require_client().await?;
            Ok(domain::claims::mine(
                &app_state()?.db,
                actor,
                after.as_deref(),
                domain::clock::now(),
                OWN_PAGE_SIZE,
            )
            .await?)
        }
        .await,
    )
}

/// Without JavaScript, a step done from a page goes back to the page that shows its result;
/// hydrated, the page updates in place.
#[cfg(feature = "ssr")]
fn back_to(path: &str) {
    if crate::request::is_plain_form_post() {
        leptos_axum::redirect(path);
    }
}
