use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::ClaimListing,
    components::auth::Auth,
    components::error::ErrorMessage,
    dto::{ClaimView, ListingState, Role, short_datetime},
    error::AppError,
    i18n::*,
    labels::quantity_label,
};

/// What was claimed and how to collect it: the business, where, its phone and the deadline.
#[component]
pub fn ClaimDetails(claim: ClaimView) -> impl IntoView {
    let i18n = use_i18n();
    let quantity = move || quantity_label(i18n.get_locale(), claim.quantity, claim.unit);

    view! {
        <div class="claim" data-testid="claim">
            <h3><A href=format!("/listings/{}", claim.listing_id)>{claim.item_name.clone()}</A> " · " {quantity}</h3>
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
            </dl>
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

/// The claim button of a listing's page, for clients; its confirmation, or why it failed.
/// A plain form without JavaScript: the answer then comes back to this page. The page owns
/// `claim`, so the rest of it can follow the answer.
#[component]
pub fn ClaimBox(
    listing_id: i64,
    #[prop(into)] state: Signal<ListingState>,
    claim: ServerAction<ClaimListing>,
    /// Someone else claimed it while the page was open.
    #[prop(into)]
    taken: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();

    move || {
        let is_client =
            matches!(auth.user.get(), Some(Ok(Some(ref user))) if user.role == Role::Client);
        let state = state.get();
        match claim.value().get() {
            Some(Ok(claim)) => view! { <ClaimConfirmation claim /> }.into_any(),
            Some(Err(error)) => view! { <ErrorMessage error /> }.into_any(),
            None if taken.get() => {
                let error = AppError::Unavailable {
                    state: ListingState::Claimed,
                };
                view! { <ErrorMessage error /> }.into_any()
            }
            None if state == ListingState::Available && is_client => view! {
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
    }
}
