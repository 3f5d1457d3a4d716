use leptos::prelude::*;

use crate::{
    api::{CancelClaim, ClaimListing, RecordPickup, WaitForListing},
    components::{
        error::{ErrorMessage, outcome_text},
        island_i18n,
    },
    dto::{ClaimView, ListingState, Outcome, WaitStatus, short_datetime},
    error::AppError,
    i18n::*,
    labels::quantity_label,
};

/// What a client can do with their claims on a page: give one back, or say they collected it.
#[derive(Clone, Copy)]
pub struct ClaimActions {
    pub cancel: ServerAction<CancelClaim>,
    pub record: ServerAction<RecordPickup>,
}

/// What was claimed and how to collect it: the business, where, its phone and the deadline;
/// where the claim stands, and (with `actions`) what the client can do with it.
#[component]
pub fn ClaimDetails(
    claim: ClaimView,
    #[prop(optional)] actions: Option<ClaimActions>,
) -> impl IntoView {
    let i18n = use_i18n();
    let quantity = move || quantity_label(i18n.get_locale(), claim.quantity, claim.unit);
    // As the server saw it; the page is fetched again when it changes (see `LiveWatch`).
    let now = claim.checked_at;
    let (until, outcome, claim_id) = (claim.available_until, claim.outcome, claim.claim_id);
    let pickup_starts = claim.pickup_starts();
    let status = move || match outcome {
        Some(o) => outcome_text(i18n, o.outcome, o.late),
        None if now >= until => t_string!(i18n, outcome_ended).to_string(),
        None => t_string!(i18n, outcome_live).to_string(),
    };
    let open = outcome.is_none() && now < until;
    let steps = move || {
        let actions = actions?;
        open.then(|| {
            let collected = (now >= pickup_starts).then(|| view! {
                <ActionForm action=actions.record attr:class="inline-form">
                    <input type="hidden" name="claim_id" value=claim_id />
                    <input type="hidden" name="outcome" value=Outcome::Collected.as_str() />
                    <button type="submit" class="button">{t!(i18n, claim_collected_button)}</button>
                </ActionForm>
            });
            view! {
                <div class="row-actions">
                    {collected}
                    <ActionForm action=actions.cancel attr:class="inline-form">
                        <input type="hidden" name="claim_id" value=claim_id />
                        <button type="submit" class="button danger">{t!(i18n, claim_cancel)}</button>
                    </ActionForm>
                </div>
                <p class="muted">{t!(i18n, claim_cancel_hint)}</p>
            }
        })
    };

    view! {
        <div class="claim" data-testid="claim">
            <h3>
                <a href=format!("/listings/{}", claim.listing_id)>{claim.item_name.clone()}</a> " · " {quantity}
                " "
                <span class="badge" data-testid="claim-status">{status}</span>
            </h3>
            <dl class="details">
                <dt>{t!(i18n, field_business_name)}</dt>
                <dd>{claim.business_name.clone()}</dd>
                <dt>{t!(i18n, field_pickup_location)}</dt>
                <dd>{claim.pickup_location.clone()}</dd>
                <dt>{t!(i18n, field_phone)}</dt>
                <dd><a href=format!("tel:{}", claim.business_phone)>{claim.business_phone.clone()}</a></dd>
                <dt>{t!(i18n, field_email)}</dt>
                <dd><a href=format!("mailto:{}", claim.business_email)>{claim.business_email.clone()}</a></dd>
                {claim.pickup_from.map(|from| view! {
                    <dt>{t!(i18n, field_pickup_from)}</dt>
                    <dd>{short_datetime(from)}</dd>
                })}
                <dt>{t!(i18n, collect_before)}</dt>
                <dd>{short_datetime(claim.available_until)}</dd>
                <dt>{t!(i18n, claimed_at)}</dt>
                <dd>{short_datetime(claim.claimed_at)}</dd>
                {outcome.map(|o| view! {
                    <dt>{t!(i18n, outcome_recorded_at)}</dt>
                    <dd>{short_datetime(o.at)}</dd>
                })}
            </dl>
            {steps}
        </div>
    }
}

/// "It's yours!", with how to collect.
#[component]
pub fn ClaimConfirmation(claim: ClaimView) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="panel confirmation" role="status" data-testid="claim-confirmation">
            <h2>{t!(i18n, claim_done)}</h2>
            <p>{t!(i18n, claim_done_body)}</p>
            <ClaimDetails claim />
        </section>
    }
}

/// The claim button of a listing's page, for clients; its confirmation, or why it failed; and,
/// once someone else holds the listing, its waiting list. The page's one island: without
/// JavaScript (or before it loads) its forms are plain posts, and the answer comes back in the
/// URL (`refused`, read by the page on the server).
#[island]
pub fn ClaimBox(
    listing_id: i64,
    /// As the server saw it when it rendered the page.
    state: ListingState,
    is_client: bool,
    /// The claim this client holds on it.
    held: Option<ClaimView>,
    /// Someone else has just claimed it (the page was fetched again because of it).
    taken: bool,
    wait: WaitStatus,
    /// A plain post's refusal, claiming or joining the waiting list.
    refused_claim: Option<AppError>,
    refused_wait: Option<AppError>,
) -> impl IntoView {
    let i18n = island_i18n();
    let held = StoredValue::new(held);
    let claim = ServerAction::<ClaimListing>::new();
    // On the server the action holds a plain post's refusal already; in the browser it starts
    // empty: both render the refusal the page read.
    let refused_claim = StoredValue::new(refused_claim);
    let answer = move || {
        claim
            .value()
            .get()
            .or_else(|| refused_claim.get_value().map(Err))
    };
    let claimed_here = move || matches!(answer(), Some(Ok(_)));

    let shown = move || match (answer(), held.get_value()) {
        (Some(Ok(claim)), _) | (None, Some(claim)) => {
            view! { <ClaimConfirmation claim /> }.into_any()
        }
        (Some(Err(error)), _) => view! { <ErrorMessage error /> }.into_any(),
        (None, None) if taken => {
            let error = AppError::Unavailable {
                state: ListingState::Claimed,
            };
            view! { <ErrorMessage error /> }.into_any()
        }
        (None, None) if state == ListingState::Available && is_client => view! {
            <ActionForm action=claim attr:class="claim-form">
                <input type="hidden" name="listing_id" value=listing_id />
                <button type="submit" class="button big" disabled=move || claim.pending().get()>
                    {t!(i18n, claim_button)}
                </button>
            </ActionForm>
        }
        .into_any(),
        (None, None) if state == ListingState::Available => view! {
            <p class="muted">{t!(i18n, claim_need_client)}</p>
        }
        .into_any(),
        (None, None) => ().into_any(),
    };
    let waiting = move || {
        (state == ListingState::Claimed
            && is_client
            && wait != WaitStatus::Holding
            && !claimed_here())
        .then(|| view! { <WaitingList listing_id wait refused=refused_wait.clone() /> })
    };
    view! {
        {shown}
        {waiting}
    }
}

/// Join or leave the waiting list of a listing someone else holds.
#[component]
fn WaitingList(listing_id: i64, wait: WaitStatus, refused: Option<AppError>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<WaitForListing>::new();
    let refused = StoredValue::new(refused);
    let answer = move || {
        action
            .value()
            .get()
            .or_else(|| refused.get_value().map(Err))
    };
    let waiting = move || match answer() {
        Some(Ok(waiting)) => waiting,
        _ => wait == WaitStatus::Waiting,
    };
    let label = move || {
        if waiting() {
            t_string!(i18n, wait_leave).to_string()
        } else {
            t_string!(i18n, wait_button).to_string()
        }
    };
    view! {
        {move || answer().and_then(Result::err).map(|error| view! { <ErrorMessage error /> })}
        {move || waiting().then(|| view! {
            <p class="alert success" role="status" data-testid="waiting">{t!(i18n, wait_joined)}</p>
        })}
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="listing_id" value=listing_id />
            <input type="hidden" name="wait" value=move || (!waiting()).to_string() />
            <button type="submit" class=move || if waiting() { "button secondary" } else { "button" }>{label}</button>
        </ActionForm>
    }
}
