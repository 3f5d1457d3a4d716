use leptos::{prelude::*, server_fn::ServerFn};
use serde::de::IgnoredAny;

use crate::{
    api::{CancelClaim, ClaimListing, RecordPickup, WaitForListing},
    components::{
        error::{ErrorMessage, outcome_text},
        island_i18n,
        post::Post,
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
/// where the claim stands, and (`children`: see [`ClaimSteps`]) what the client can do with it.
#[component]
pub fn ClaimDetails(
    claim: ClaimView,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    let quantity = move || quantity_label(i18n.get_locale(), claim.quantity, claim.unit);
    // As the server saw it; the page is fetched again when it changes (see `LiveWatch`).
    let (now, until, outcome) = (claim.checked_at, claim.available_until, claim.outcome);
    let status = move || match outcome {
        Some(o) => outcome_text(i18n, o.outcome, o.late),
        None if now >= until => t_string!(i18n, outcome_ended).to_string(),
        None => t_string!(i18n, outcome_live).to_string(),
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
            {children.map(|steps| steps())}
        </div>
    }
}

/// What a client can do with a claim still open: give it back and, from the pickup start on,
/// say they collected it. Plain forms, on their claims' page (never in an island: the actions'
/// client would weigh on every page's WASM).
#[component]
pub fn ClaimSteps(claim: ClaimView, actions: ClaimActions) -> impl IntoView {
    let i18n = use_i18n();
    let (now, claim_id) = (claim.checked_at, claim.claim_id);
    let open = claim.outcome.is_none() && now < claim.available_until;
    open.then(|| {
        let collected = (now >= claim.pickup_starts()).then(|| {
            view! {
                <ActionForm action=actions.record attr:class="inline-form">
                    <input type="hidden" name="claim_id" value=claim_id />
                    <input type="hidden" name="outcome" value=Outcome::Collected.as_str() />
                    <button type="submit" class="button">{t!(i18n, claim_collected_button)}</button>
                </ActionForm>
            }
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

/// The claim button of a listing's page, for clients, and why a claim failed. An island:
/// without JavaScript (or before it loads) its form is a plain post (see `Post`). A claim
/// made here fetches the page again, which then shows the claim as the server has it (see
/// `ListingPage`): the server renders every confirmation, and this island stays small.
#[island]
pub fn ClaimBox(
    listing_id: i64,
    /// As the server saw it when it rendered the page.
    state: ListingState,
    is_client: bool,
    /// Someone else has just claimed it (the page was fetched again because of it).
    taken: bool,
    /// A plain post's refusal.
    refused: Option<AppError>,
) -> impl IntoView {
    let i18n = island_i18n();
    let claim = Post::<IgnoredAny>::new(ClaimListing::PATH, refused);
    let claimed = move || matches!(claim.value(), Some(Ok(_)));
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        if claimed() {
            crate::components::live::refresh_page();
        }
    });

    move || {
        match claim.value() {
        Some(Err(error)) => view! { <ErrorMessage error /> }.into_any(),
        _ if taken => {
            let error = AppError::Unavailable {
                state: ListingState::Claimed,
            };
            view! { <ErrorMessage error /> }.into_any()
        }
        _ if state == ListingState::Available && is_client => view! {
            <form method="post" action=claim.endpoint() class="claim-form" on:submit=claim.on_submit()>
                <input type="hidden" name="listing_id" value=listing_id />
                <button type="submit" class="button big" disabled=move || claim.pending() || claimed()>
                    {t!(i18n, claim_button)}
                </button>
            </form>
        }
        .into_any(),
        _ if state == ListingState::Available => view! {
            <p class="muted">{t!(i18n, claim_need_client)}</p>
        }
        .into_any(),
        _ => ().into_any(),
    }
    }
}

/// Join or leave the waiting list of a listing someone else holds: plain forms, answered by
/// the server's next rendering of the page.
#[component]
pub fn WaitingList(listing_id: i64, wait: WaitStatus) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<WaitForListing>::new();
    let waiting = wait == WaitStatus::Waiting;
    view! {
        {move || action.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error /> })}
        {waiting.then(|| view! {
            <p class="alert success" role="status" data-testid="waiting">{t!(i18n, wait_joined)}</p>
        })}
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="listing_id" value=listing_id />
            <input type="hidden" name="wait" value=(!waiting).to_string() />
            <button type="submit" class=if waiting { "button secondary" } else { "button" }>
                {if waiting { t!(i18n, wait_leave).into_any() } else { t!(i18n, wait_button).into_any() }}
            </button>
        </ActionForm>
    }
}
