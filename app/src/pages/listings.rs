use std::sync::Arc;

use chrono::Utc;
use leptos::{
    prelude::*,
    server_fn::{ServerFn, error::ServerFnUrlError},
};
use leptos_router::{
    components::A,
    hooks::{use_params_map, use_query_map},
    location::Url,
};

use crate::{
    api::{
        ClaimListing, CreateListing, UpdateListing, form_echo, get_listing, list_listings,
        my_business, my_claim_on, my_wait_status,
    },
    components::{
        auth::Auth,
        claim::{ClaimBox, ClaimConfirmation, WaitingList},
        error::ErrorMessage,
        layout::PageTitle,
        listing::{ListingCardView, ListingEditor, Picture, StateBadge},
        live::{LiveScope, LiveWatch, just_happened, next_change},
    },
    dto::{
        Category, ClaimView, EpochMillis, ListingCard, ListingDetail, ListingId, ListingState,
        LiveChange, Role, Sort, WaitStatus, short_datetime,
    },
    error::AppError,
    i18n::*,
    labels::{category_label, quantity_label, tag_label},
};

/// The refusal of a plain (JavaScript-off) post to `endpoint`, which comes back in the URL.
fn refused_post(endpoint: &'static str) -> Signal<Option<AppError>> {
    let query = use_query_map();
    Signal::derive(move || {
        let query = query.read();
        (query.get_str("__path") == Some(endpoint))
            .then(|| {
                query
                    .get_str("__err")
                    .map(ServerFnUrlError::<AppError>::decode_err)
            })
            .flatten()
    })
}

/// The listing id in the address; anything else is not found.
fn listing_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()))
}

#[component]
pub fn NewListingPage() -> impl IntoView {
    let i18n = use_i18n();
    let refused = refused_post(CreateListing::PATH);
    let business = Resource::new(|| (), |_| my_business());
    let kept = Resource::new(|| (), |_| form_echo("listing_new".to_owned()));

    view! {
        <section class="panel narrow">
            <PageTitle title=t_string!(i18n, listing_new_title).to_string() />
            <h1>{t!(i18n, listing_new_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match business.await {
                        Ok(_) => {
                            let kept = kept.await.unwrap_or_default();
                            view! { <ListingEditor existing=None kept refused=refused.get_untracked() /> }.into_any()
                        }
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn EditListingPage() -> impl IntoView {
    let i18n = use_i18n();
    let refused = refused_post(UpdateListing::PATH);
    let id = listing_id();
    let business = Resource::new(|| (), |_| my_business());
    let listing = Resource::new(
        move || id.get(),
        |id| async move { get_listing(ListingId(id.ok_or(AppError::NotFound)?)).await },
    );
    let kept = Resource::new(
        move || id.get(),
        |id| form_echo(format!("listing_{}", id.unwrap_or_default())),
    );

    view! {
        <section class="panel narrow">
            <PageTitle title=t_string!(i18n, listing_edit_title).to_string() />
            <h1>{t!(i18n, listing_edit_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    let (me, listing) = (business.await, listing.await);
                    let allowed = me.and_then(|me| {
                        let listing = listing?;
                        if listing.business_id != me.id { Err(AppError::Forbidden) } else { Ok(listing) }
                    });
                    match allowed {

                        Ok(existing) => {
                            let kept = kept.await.unwrap_or_default();
                            view! { <ListingEditor existing=Some(existing) kept refused=refused.get_untracked() /> }.into_any()
                        }
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What can be claimed now, with a search, a category filter and two orders. Every control is
/// a plain GET form or link, so it works before (and without) the WASM.
#[component]
pub fn BrowsePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let params = move || -> BrowseParams {
        let q = query.read();
        (
            q.get("sort").and_then(|s| Sort::parse(&s)),
            q.get("q").filter(|s| !s.trim().is_empty()),
            q.get("category").and_then(|c| Category::parse(&c)),
            q.get("after"),
        )
    };
    let page = Resource::new(params, |(sort, q, category, after)| {
        list_listings(sort, q, category, after)
    });
    let (sort, search, category, _) = params();
    let categories = Category::ALL
        .iter()
        .map(|&c| view! { <option value=c.as_str() selected=category == Some(c)>{move || category_label(i18n, c)}</option> })
        .collect_view();
    // The link to the next page keeps the filters.
    let next_href = move |after: String| {
        let (sort, search, category, _) = params();
        let mut parts = vec![];
        if let Some(sort) = sort {
            parts.push(format!("sort={}", sort.as_str()));
        }
        if let Some(search) = search {
            parts.push(format!("q={}", Url::escape(&search)));
        }
        if let Some(category) = category {
            parts.push(format!("category={}", category.as_str()));
        }
        parts.push(format!("after={}", Url::escape(&after)));
        format!("/browse?{}", parts.join("&"))
    };

    view! {
        <section>
            <PageTitle title=t_string!(i18n, browse_title).to_string() />
            <h1>{t!(i18n, browse_title)}</h1>
            <form method="get" action="/browse" class="filters" role="search">
                <div class="field">
                    <label for="filter-q">{t!(i18n, browse_search)}</label>
                    <input id="filter-q" type="search" name="q" value=search.unwrap_or_default() maxlength="100" />
                </div>
                <div class="field">
                    <label for="filter-category">{t!(i18n, field_category)}</label>
                    <select id="filter-category" name="category">
                        <option value="">{t!(i18n, browse_all_categories)}</option>
                        {categories}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-sort">{t!(i18n, browse_sort)}</label>
                    <select id="filter-sort" name="sort">
                        <option value="newest" selected=sort != Some(Sort::EndingSoon)>{t!(i18n, sort_newest)}</option>
                        <option value="ending_soon" selected=sort == Some(Sort::EndingSoon)>{t!(i18n, sort_ending_soon)}</option>
                    </select>
                </div>
                <button type="submit" class="button">{t!(i18n, browse_apply)}</button>
            </form>
            <Suspense>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => {
                            let now = Utc::now();
                            let watch = view! {
                                <LiveWatch
                                    scope=LiveScope::Browse { shown: page.items.iter().map(|card| card.id).collect() }
                                    changes_at=next_change(now, page.items.iter().map(|card| card.available_until)).map(EpochMillis)
                                    checked_at=now
                                />
                            };
                            let cards = if page.items.is_empty() {
                                view! { <p class="panel empty">{t!(i18n, browse_empty)}</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="cards" inner_html=cards_html(params(), page.items) />
                                    {page.next.map(|after| view! {
                                        <p class="more"><a class="button secondary" href=next_href(after)>{t!(i18n, browse_more)}</a></p>
                                    })}
                                }
                                .into_any()
                            };
                            view! { {watch} {cards} }.into_any()
                        }
                        Err(error) => view! { <ErrorMessage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What a browse page shows: its order, search, category and cursor (from the address).
pub type BrowseParams = (
    Option<Sort>,
    Option<String>,
    Option<Category>,
    Option<String>,
);

/// The cards of a browse page, as HTML. On the server, cards already rendered in the same
/// language for the same address are sent again while they are the same cards
/// ([`Shared::browse_cards`](crate::state::Shared::browse_cards)): the rendering was most
/// of the page's time.
#[cfg_attr(not(feature = "ssr"), allow(unused_variables))]
fn cards_html(params: BrowseParams, items: Vec<ListingCard>) -> Arc<str> {
    let render = |items: &Vec<ListingCard>| {
        items
            .iter()
            .map(|card| view! { <ListingCardView card=card.clone() /> })
            .collect_view()
            .to_html()
    };
    #[cfg(feature = "ssr")]
    if let Ok(state) = crate::state::app_state() {
        let locale = use_i18n().get_locale_untracked();
        return state.browse_cards.html((locale, params), items, render);
    }
    render(&items).into()
}

#[component]
pub fn ListingPage() -> impl IntoView {
    let id = listing_id();
    let listing = Resource::new(
        move || id.get(),
        |id| async move { get_listing(ListingId(id.ok_or(AppError::NotFound)?)).await },
    );
    // Where the viewer stands with it: holding its claim, waiting for it, or neither.
    let standing = Resource::new(
        move || id.get(),
        |id| async move {
            let id = ListingId(id.ok_or(AppError::NotFound)?);
            Ok::<_, AppError>((my_claim_on(id).await?, my_wait_status(id).await?))
        },
    );

    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match (listing.await, standing.await) {
                    (Ok(listing), Ok((held, wait))) => view! { <ListingDetailView listing held wait /> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <section class="panel"><ErrorMessage error /></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ListingDetailView(
    listing: ListingDetail,
    held: Option<ClaimView>,
    wait: WaitStatus,
) -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<Auth>();
    let is_client =
        matches!(auth.user.get_untracked(), Some(Ok(Some(ref user))) if user.role == Role::Client);
    let quantity = move || quantity_label(i18n.get_locale(), listing.quantity, listing.unit);
    let category = move || category_label(i18n, listing.category);
    let tags = listing.dietary_tags.clone();
    let until = short_datetime(listing.available_until);
    let now = Utc::now();
    let state = listing.state;
    let taken = just_happened(listing.id) == Some(LiveChange::Claimed) && held.is_none();
    let changes_at = (state == ListingState::Available).then_some(listing.available_until);

    view! {
        <article class="panel listing" data-testid="listing-detail">
            <LiveWatch scope=LiveScope::Listing(listing.id) changes_at=changes_at.map(EpochMillis) checked_at=now />
            {listing.photo.clone().map(|image| view! { <div class="photo"><Picture image alt=listing.item_name.clone() eager=true /></div> })}
            <header class="listing-head">
                <PageTitle title=listing.item_name.clone() />
                <h1>{listing.item_name.clone()}</h1>
                <StateBadge state />
            </header>
            <p class="quantity">{quantity}</p>
            <dl class="details">
                <dt>{t!(i18n, field_category)}</dt>
                <dd>{category}</dd>
                {(!tags.is_empty()).then(|| {
                    let tags = tags.clone();
                    view! {
                        <dt>{t!(i18n, field_dietary_tags)}</dt>
                        <dd>{move || tags.iter().map(|t| tag_label(i18n, t)).collect::<Vec<_>>().join(", ")}</dd>
                    }
                })}
                <dt>{t!(i18n, field_business_name)}</dt>
                <dd>{listing.business_name.clone()}</dd>
                <dt>{t!(i18n, field_pickup_location)}</dt>
                <dd>{listing.pickup_location.clone()}</dd>
                {listing.pickup_from.map(|from| view! {
                    <dt>{t!(i18n, field_pickup_from)}</dt>
                    <dd>{short_datetime(from)}</dd>
                })}
                <dt>{t!(i18n, field_available_until)}</dt>
                <dd>{until}</dd>
            </dl>
            {(!listing.description.is_empty()).then(|| view! { <p class="description">{listing.description.clone()}</p> })}
            {match held {
                Some(claim) => view! { <ClaimConfirmation claim /> }.into_any(),
                None => view! {
                    <ClaimBox
                        listing_id=listing.id
                        state
                        is_client
                        taken
                        refused=refused_post(ClaimListing::PATH).get_untracked()
                    />
                    {(state == ListingState::Claimed && is_client && wait != WaitStatus::Holding)
                        .then(|| view! { <WaitingList listing_id=listing.id wait /> })}
                }
                .into_any(),
            }}
            <p><A href="/browse">{t!(i18n, back_to_browse)}</A></p>
        </article>
    }
}
