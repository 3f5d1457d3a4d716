use chrono::Utc;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::{RecordPickup, WithdrawListing, my_business, my_listings},
    components::{
        account::AccountDetails,
        error::{ErrorMessage, outcome_text},
        layout::PageTitle,
        listing::{Picture, StateBadge},
        live::{LiveScope, LiveWatch, just_happened, next_change},
        pager::{Pager, after_param},
    },
    dto::{
        Claimant, EpochMillis, HistoryStep, ListingState, LiveChange, Outcome, OwnListing,
        pickup_starts, short_datetime,
    },
    i18n::*,
    labels::quantity_label,
};

/// The business dashboard. Only businesses may see it: the server functions refuse anyone
/// else.
#[component]
pub fn BusinessPage() -> impl IntoView {
    let i18n = use_i18n();
    let withdraw = ServerAction::<WithdrawListing>::new();
    let record = ServerAction::<RecordPickup>::new();
    let business = Resource::new(|| (), |_| my_business());
    let after = after_param();
    let listings = Resource::new(move || after.get(), my_listings);

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match business.await {
                    Ok(account) => view! {
                        <section class="panel">
                            <PageTitle title=t_string!(i18n, business_title).to_string() />
                            <h1>{t!(i18n, business_title)}</h1>
                            <p class="lead">{t!(i18n, business_intro)}</p>
                            <AccountDetails account />
                        </section>
                        <section class="panel">
                            <header class="section-head">
                                <h2>{t!(i18n, my_listings_title)}</h2>
                                <A href="/listings/new" attr:class="button">{t!(i18n, listing_new_title)}</A>
                            </header>
                            {move || withdraw.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error /> })}
                            {move || record.value().get().and_then(Result::err).map(|error| view! { <ErrorMessage error /> })}
                            <Suspense>
                                {move || Suspend::new(async move {
                                    match listings.await {
                                        Ok(page) if page.items.is_empty() && page.next.is_none() && after.get_untracked().is_none() => {
                                            view! { <p class="empty">{t!(i18n, my_listings_empty)}</p> }.into_any()
                                        }
                                        Ok(page) => {
                                            let now = Utc::now();
                                            let changes_at = next_change(now, page.items.iter().flat_map(changes));
                                            view! {
                                                <LiveWatch scope=LiveScope::Mine changes_at=changes_at.map(EpochMillis) checked_at=now />
                                                <ul class="rows">
                                                    {page.items.into_iter().map(|listing| {
                                                        let just = just_happened(listing.listing.id);
                                                        view! { <MyListing listing withdraw record just /> }
                                                    }).collect_view()}
                                                </ul>
                                                <Pager path="/business" next=page.next />
                                            }
                                            .into_any()
                                        }
                                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                                    }
                                })}
                            </Suspense>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <section class="panel">
                            <PageTitle title=t_string!(i18n, business_title).to_string() />
                            <h1>{t!(i18n, business_title)}</h1>
                            <ErrorMessage error />
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MyListing(
    listing: OwnListing,
    withdraw: ServerAction<WithdrawListing>,
    record: ServerAction<RecordPickup>,
    /// Claimed, or given back, while the page was open: told in a notice.
    just: Option<LiveChange>,
) -> impl IntoView {
    let i18n = use_i18n();
    let OwnListing {
        listing,
        claimed_by,
        history,
    } = listing;
    let quantity = move || quantity_label(i18n.get_locale(), listing.quantity, listing.unit);
    let until = short_datetime(listing.available_until);
    let state = listing.state;
    let item = listing.item_name.clone();
    let notice = match just {
        Some(LiveChange::Claimed) => claimed_by.as_ref().map(|who| {
            let (item, client) = (item.clone(), who.contact_name.clone());
            view! {
                <p class="alert success" role="status" data-testid="claimed-notice">
                    {t!(i18n, live_claimed_notice, item = move || item.clone(), client = move || client.clone())}
                </p>
            }
            .into_any()
        }),
        Some(LiveChange::Reopened) if claimed_by.is_none() => Some(
            view! {
                <p class="alert" role="status" data-testid="given-back-notice">
                    {t!(i18n, live_given_back_notice, item = move || item.clone())}
                </p>
            }
            .into_any(),
        ),
        _ => None,
    };
    let pickup_from = listing.pickup_from;

    view! {
        <li class="row-item" data-testid="my-listing">
            <div class="row-thumb">
                {listing.thumbnail.clone().map(|image| view! { <Picture image alt="" /> })}
            </div>
            <div class="row-main">
                <A href=format!("/listings/{}", listing.id)>{listing.item_name.clone()}</A>
                " "
                <StateBadge state />
                <p class="muted">{quantity} " · " {t!(i18n, available_until_short, time = move || until.clone())}</p>
                {notice}
                {claimed_by.map(|who| view! { <ClaimantDetails who pickup_from record /> })}
                {(!history.is_empty()).then(|| view! { <History steps=history /> })}
            </div>
            {(state == ListingState::Available).then(|| view! {
                <div class="row-actions">
                    <A href=format!("/listings/{}/edit", listing.id) attr:class="button secondary">{t!(i18n, listing_edit)}</A>
                    <ActionForm action=withdraw attr:class="inline-form">
                        <input type="hidden" name="listing_id" value=listing.id />
                        <button type="submit" class="button danger">{t!(i18n, listing_withdraw)}</button>
                    </ActionForm>
                </div>
            })}
        </li>
    }
}

/// Who holds a listing, their record of past pickups, and (from the pickup start on) whether
/// they collected it.
#[component]
fn ClaimantDetails(
    who: Claimant,
    pickup_from: Option<chrono::DateTime<chrono::Utc>>,
    record: ServerAction<RecordPickup>,
) -> impl IntoView {
    let i18n = use_i18n();
    let now = who.checked_at;
    let from = pickup_starts(pickup_from, who.claimed_at);
    let claim_id = who.claim_id;
    let record_r = who.reliability;
    let counts = move || {
        t_string!(
            i18n,
            reliability_counts,
            collected = record_r.collected,
            not_collected = record_r.not_collected,
            late = record_r.late_cancels
        )
        .to_string()
    };
    let pickup = match who.outcome {
        Some(outcome) => view! {
            <p class="badge" data-testid="pickup-outcome">{move || outcome_text(i18n, outcome.outcome, outcome.late)} " · " {short_datetime(outcome.at)}</p>
        }
        .into_any(),
        None => (move || {
            if now < from {
                return view! { <p class="muted">{t!(i18n, pickup_from_time, time = short_datetime(from))}</p> }.into_any();
            }
            let button = move |outcome: Outcome, class: &'static str| view! {
                <ActionForm action=record attr:class="inline-form">
                    <input type="hidden" name="claim_id" value=claim_id />
                    <input type="hidden" name="outcome" value=outcome.as_str() />
                    <button type="submit" class=class>
                        {move || match outcome {
                            Outcome::NotCollected => t_string!(i18n, pickup_not_collected).to_string(),
                            _ => t_string!(i18n, pickup_collected).to_string(),
                        }}
                    </button>
                </ActionForm>
            };
            view! {
                <div class="row-actions" data-testid="pickup-question">
                    <span>{t!(i18n, pickup_question)}</span>
                    {button(Outcome::Collected, "button")}
                    {button(Outcome::NotCollected, "button secondary")}
                </div>
            }
            .into_any()
        })
        .into_any(),
    };
    view! {
        <dl class="details claimant" data-testid="claimant">
            <dt>{t!(i18n, claimed_by)}</dt>
            <dd>{who.contact_name}</dd>
            <dt>{t!(i18n, field_phone)}</dt>
            <dd><a href=format!("tel:{}", who.phone)>{who.phone.clone()}</a></dd>
            <dt>{t!(i18n, field_email)}</dt>
            <dd><a href=format!("mailto:{}", who.email)>{who.email.clone()}</a></dd>
            <dt>{t!(i18n, claimed_at)}</dt>
            <dd>{short_datetime(who.claimed_at)}</dd>
            <dt>{t!(i18n, reliability)}</dt>
            <dd data-testid="reliability">{counts}</dd>
        </dl>
        {pickup}
    }
}

/// A listing's claims and what became of each, oldest first.
#[component]
fn History(steps: Vec<HistoryStep>) -> impl IntoView {
    let i18n = use_i18n();
    let steps = steps
        .into_iter()
        .map(|step| {
            let client = step.client.clone();
            let text = move || {
                let client = client.clone();
                match (step.outcome, step.late) {
                    (None, _) => t_string!(i18n, history_claimed, client = client).to_string(),
                    (Some(Outcome::Cancelled), true) => {
                        t_string!(i18n, history_cancelled_late, client = client).to_string()
                    }
                    (Some(Outcome::Cancelled), false) => {
                        t_string!(i18n, history_cancelled, client = client).to_string()
                    }
                    (Some(Outcome::Collected), _) => {
                        t_string!(i18n, history_collected, client = client).to_string()
                    }
                    (Some(Outcome::NotCollected), _) => {
                        t_string!(i18n, history_not_collected, client = client).to_string()
                    }
                }
            };
            view! { <li><time>{short_datetime(step.at)}</time> " " {text}</li> }
        })
        .collect_view();
    view! {
        <details class="history" data-testid="history">
            <summary>{t!(i18n, history_title)}</summary>
            <ol>{steps}</ol>
        </details>
    }
}

/// When a listing changes by itself on the page: it expires, or its claim's pickup may be
/// recorded, or its deadline passes.
fn changes(listing: &OwnListing) -> Vec<chrono::DateTime<Utc>> {
    let l = &listing.listing;
    match &listing.claimed_by {
        Some(who) if who.outcome.is_none() => vec![
            pickup_starts(l.pickup_from, who.claimed_at),
            l.available_until,
        ],
        Some(_) => vec![],
        None => (l.state == ListingState::Available)
            .then_some(l.available_until)
            .into_iter()
            .collect(),
    }
}
