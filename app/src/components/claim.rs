use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::{CancelClaim, ClaimListing, RecordPickup, WaitForListing, my_wait_status},
    components::{
        auth::Auth,
        error::{ErrorMessage, outcome_text},
        live::Live,
    },
    dto::{ClaimView, ListingId, ListingState, Outcome, Role, WaitStatus, short_datetime},
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
    let now = Live::get().now_or(claim.checked_at);
    let (until, outcome, claim_id) = (claim.available_until, claim.outcome, claim.claim_id);
    let pickup_starts = claim.pickup_starts();
    let status = move || match outcome {
        Some(o) => outcome_text(i18n, o.outcome, o.late),
        None if now() >= until => t_string!(i18n, outcome_ended).to_string(),
        None => t_string!(i18n, outcome_live).to_string(),
    };
    let open = move || outcome.is_none() && now() < until;
    let steps = move || {
        let actions = actions?;
        open().then(|| {
            let collected = (now() >= pickup_starts).then(|| view! {
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
                <A href=format!("/listings/{}", claim.listing_id)>{claim.item_name.clone()}</A> " · " {quantity}
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
/// once someone else holds the listing, its waiting list. Plain forms without JavaScript: the
/// answer then comes back to this page. The page owns `claim`, so the rest of it can follow
/// the answer.
#[component]
pub fn ClaimBox(
    listing_id: i64,
    /// The listing's state on the page's clock (see `Live`: no signal made inside the page's
    /// `<Transition>`).
    state: impl Fn() -> ListingState + Copy + Send + Sync + 'static,
    claim: ServerAction<ClaimListing>,
    /// Someone else claimed it while the page was open.
    taken: Memo<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let is_client =
        move || matches!(auth.user.get(), Some(Ok(Some(ref user))) if user.role == Role::Client);

    let answer = move || {
        let state = state();
        match claim.value().get() {
            Some(Ok(claim)) => view! { <ClaimConfirmation claim /> }.into_any(),
            Some(Err(error)) => view! { <ErrorMessage error /> }.into_any(),
            None if taken.get() => {
                let error = AppError::Unavailable {
                    state: ListingState::Claimed,
                };
                view! { <ErrorMessage error /> }.into_any()
            }
            None if state == ListingState::Available && is_client() => view! {
                <ActionForm action=claim attr:class="claim-form">
                    <input type="hidden" name="listing_id" value=listing_id />
                    <button type="submit" class="button big" disabled=move || claim.pending().get()>
                        {t!(i18n, claim_button)}
                    </button>
                </ActionForm>
            }
            .into_any(),
            None if state == ListingState::Available => view! {
                <p class="muted">{t!(i18n, claim_need_client)}</p>
            }
            .into_any(),
            None => ().into_any(),
        }
    };
    let waiting = move || {
        (state() == ListingState::Claimed
            && is_client()
            && !matches!(claim.value().get(), Some(Ok(_))))
        .then(|| view! { <WaitingList listing_id /> })
    };
    view! {
        {answer}
        {waiting}
    }
}

/// Join or leave the waiting list of a listing someone else holds.
#[component]
fn WaitingList(listing_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let wait = ServerAction::<WaitForListing>::new();
    let status = Resource::new(
        move || wait.version().get(),
        move |_| my_wait_status(ListingId(listing_id)),
    );
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let status = status.await;
                let error = wait.value().get().and_then(Result::err);
                let form = match status {
                    Ok(WaitStatus::Holding) => None,
                    Ok(status) => {
                        let waiting = status == WaitStatus::Waiting;
                        let label = move || if waiting {
                            t_string!(i18n, wait_leave).to_string()
                        } else {
                            t_string!(i18n, wait_button).to_string()
                        };
                        Some(view! {
                            {waiting.then(|| view! {
                                <p class="alert success" role="status" data-testid="waiting">{t!(i18n, wait_joined)}</p>
                            })}
                            <ActionForm action=wait attr:class="inline-form">
                                <input type="hidden" name="listing_id" value=listing_id />
                                <input type="hidden" name="wait" value=(!waiting).to_string() />
                                <button type="submit" class=if waiting { "button secondary" } else { "button" }>{label}</button>
                            </ActionForm>
                        }.into_any())
                    }
                    Err(error) => Some(view! { <ErrorMessage error /> }.into_any()),
                };
                view! {
                    {error.map(|error| view! { <ErrorMessage error /> })}
                    {form}
                }
            })}
        </Transition>
    }
}
