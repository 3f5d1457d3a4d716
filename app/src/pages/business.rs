use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    api::{WithdrawListing, my_business, my_listings},
    components::{
        account::AccountDetails,
        error::ErrorMessage,
        listing::{Picture, StateBadge},
        live::Live,
        pager::{Pager, after_param},
    },
    dto::{ListingState, LiveChange, OwnListing, short_datetime},
    i18n::*,
    labels::quantity_label,
};

/// The business dashboard. Only businesses may see it: the server functions refuse anyone
/// else.
#[component]
pub fn BusinessPage() -> impl IntoView {
    let i18n = use_i18n();
    let withdraw = ServerAction::<WithdrawListing>::new();
    let business = Resource::new(|| (), |_| my_business());
    let after = after_param();
    // The business's own events (a claim, above all) refetch its listings at once.
    let live = Live::get();
    let mine = live.version(|event| event.mine);
    let listings = Resource::new(
        move || (withdraw.version().get(), after.get(), mine.get()),
        |(_, after, _)| my_listings(after),
    );
    let just_claimed = Memo::new(move |_| {
        live.pulse()
            .get()
            .event
            .filter(|e| e.mine && e.change == LiveChange::Claimed)
            .map(|e| e.listing)
    });

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match business.await {
                    Ok(account) => view! {
                        <section class="panel">
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
                            <Transition>
                                {move || Suspend::new(async move {
                                    match listings.await {
                                        Ok(page) if page.items.is_empty() && page.next.is_none() && after.get_untracked().is_none() => {
                                            view! { <p class="empty">{t!(i18n, my_listings_empty)}</p> }.into_any()
                                        }
                                        Ok(page) => view! {
                                            <ul class="rows">
                                                {page.items.into_iter().map(|listing| {
                                                    let just_claimed = just_claimed.get_untracked() == Some(listing.listing.id);
                                                    view! { <MyListing listing withdraw just_claimed /> }
                                                }).collect_view()}
                                            </ul>
                                            <Pager path="/business" next=page.next />
                                        }
                                        .into_any(),
                                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                                    }
                                })}
                            </Transition>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! {
                        <section class="panel">
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
    /// Claimed while the page was open: told in a notice.
    just_claimed: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let OwnListing {
        listing,
        claimed_by,
    } = listing;
    let quantity = move || quantity_label(i18n.get_locale(), listing.quantity, listing.unit);
    let until = short_datetime(listing.available_until);
    // It expires on the page's clock: no edit or withdrawal after the deadline.
    let state = Live::get().state(listing.state, listing.available_until);
    let notice = claimed_by
        .as_ref()
        .filter(|_| just_claimed)
        .map(|who| (listing.item_name.clone(), who.contact_name.clone()));

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
                {notice.map(|(item, client)| {
                    view! {
                        <p class="alert success" role="status" data-testid="claimed-notice">
                            {t!(i18n, live_claimed_notice, item = move || item.clone(), client = move || client.clone())}
                        </p>
                    }
                })}
                {claimed_by.map(|who| view! {
                    <dl class="details claimant" data-testid="claimant">
                        <dt>{t!(i18n, claimed_by)}</dt>
                        <dd>{who.contact_name}</dd>
                        <dt>{t!(i18n, field_phone)}</dt>
                        <dd><a href=format!("tel:{}", who.phone)>{who.phone.clone()}</a></dd>
                        <dt>{t!(i18n, field_email)}</dt>
                        <dd><a href=format!("mailto:{}", who.email)>{who.email.clone()}</a></dd>
                        <dt>{t!(i18n, claimed_at)}</dt>
                        <dd>{short_datetime(who.claimed_at)}</dd>
                    </dl>
                })}
            </div>
            {move || (state.get() == ListingState::Available).then(|| view! {
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
