//! Listing rules, on SQLite and on the real PostgreSQL.

mod common;

use std::collections::{HashMap, HashSet};

use app::{
    domain::error::DomainError,
    domain::{
        browse::{self, BrowseQuery},
        events::{DomainEvent, RecordedEvents},
        listings,
    },
    dto::{Category, ListingState, Role, Sort, Unit},
};
use chrono::Duration;
use entity::{codes::ListingStatus, listing};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr,
};
use testkit::{Backend, TestDb};

#[tokio::test]
async fn a_business_posts_a_listing_with_its_photo() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let events = RecordedEvents::default();
        let now = common::now();
        let id = listings::create(
            &t.db,
            &events,
            business,
            &common::form(now, 3),
            Some(Ok(common::photo())),
            now,
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e:?}", t.backend));

        let listing = listings::get(&t.db, id, now).await.unwrap();
        assert_eq!(listing.state, ListingState::Available, "{}", t.backend);
        assert_eq!(listing.business_name, "Boulangerie du Coin");
        assert_eq!(listing.pickup_location, "Rue Joss, Akwa, Douala");
        assert_eq!(
            listing.photo.as_ref().map(|p| (p.width, p.height)),
            Some((800, 600))
        );
        assert_eq!(
            listing.thumbnail.as_ref().map(|p| (p.width, p.height)),
            Some((400, 300))
        );
        assert_eq!(
            events.take(),
            vec![DomainEvent::ListingPosted {
                listing_id: id,
                business_id: business.user_id
            }]
        );
    }
}

#[tokio::test]
async fn a_client_cannot_post() {
    for t in TestDb::each().await {
        let client = common::user(&t.db, Role::Client, "amina@example.cm").await;
        let events = RecordedEvents::default();
        let now = common::now();
        let result = listings::create(
            &t.db,
            &events,
            client,
            &common::form(now, 3),
            Some(Ok(common::photo())),
            now,
        )
        .await;
        assert_eq!(result, Err(DomainError::Forbidden), "{}", t.backend);
        assert_eq!(listing::Entity::find().count(&t.db).await.unwrap(), 0);
        assert_eq!(entity::image::Entity::find().count(&t.db).await.unwrap(), 0);
        assert!(events.take().is_empty());
    }
}

#[tokio::test]
async fn a_listing_is_available_until_its_deadline_and_not_a_second_longer() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let now = common::now();
        let id = common::post_listing(&t.db, business, 1).await;
        let deadline = listings::get(&t.db, id, now).await.unwrap().available_until;
        let query = BrowseQuery::default();

        for (at, visible) in [
            (deadline - Duration::seconds(1), true),
            (deadline, false),
            (deadline + Duration::hours(1), false),
        ] {
            let page = browse::browse(&t.db, &query, at, 20).await.unwrap();
            assert_eq!(
                page.items.len(),
                usize::from(visible),
                "{} at {at}",
                t.backend
            );
            let availability = browse::availability(&t.db, at).await.unwrap();
            assert_eq!(
                (availability.available_listings, availability.next_deadline),
                (u64::from(visible), visible.then_some(deadline)),
                "{} at {at}",
                t.backend
            );
            // Asked a fraction of a second later, the figure is the same.
            let later = browse::availability(&t.db, at + Duration::milliseconds(900))
                .await
                .unwrap();
            assert_eq!(
                later.available_listings,
                u64::from(visible),
                "{}",
                t.backend
            );
            let state = listings::get(&t.db, id, at).await.unwrap().state;
            assert_eq!(
                state,
                if visible {
                    ListingState::Available
                } else {
                    ListingState::Expired
                }
            );
        }
    }
}

#[tokio::test]
async fn only_the_owner_edits_and_withdraws_and_only_while_available() {
    for t in TestDb::each().await {
        let owner = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let other = common::user(&t.db, Role::Business, "other@example.cm").await;
        let client = common::user(&t.db, Role::Client, "amina@example.cm").await;
        let events = RecordedEvents::default();
        let now = common::now();
        let three_hours = common::form(now, 3);
        let post = || {
            listings::create(
                &t.db,
                &events,
                owner,
                &three_hours,
                Some(Ok(common::photo())),
                now,
            )
        };
        let id = post().await.unwrap();
        events.take();

        let mut edited = common::form(now, 5);
        edited.item_name = "Pain de mie".into();
        edited.quantity = "8".into();
        assert_eq!(
            listings::update(&t.db, &events, other, id, &edited, None, now).await,
            Err(DomainError::Forbidden)
        );
        assert_eq!(
            listings::update(&t.db, &events, client, id, &edited, None, now).await,
            Err(DomainError::Forbidden)
        );
        assert_eq!(
            listings::withdraw(&t.db, &events, other, id, now).await,
            Err(DomainError::Forbidden)
        );
        assert_eq!(
            listings::update(&t.db, &events, owner, 999_999, &edited, None, now).await,
            Err(DomainError::NotFound)
        );

        listings::update(&t.db, &events, owner, id, &edited, None, now)
            .await
            .unwrap();
        let listing = listings::get(&t.db, id, now).await.unwrap();
        assert_eq!(
            (listing.item_name.as_str(), listing.quantity),
            ("Pain de mie", 8.0),
            "{}",
            t.backend
        );
        assert!(listing.photo.is_some(), "no new photo keeps the old one");

        listings::withdraw(&t.db, &events, owner, id, now)
            .await
            .unwrap();
        assert_eq!(
            listings::get(&t.db, id, now).await.unwrap().state,
            ListingState::Withdrawn
        );
        let withdrawn = Err(DomainError::Unavailable(ListingState::Withdrawn));
        assert_eq!(
            listings::update(&t.db, &events, owner, id, &edited, None, now).await,
            withdrawn
        );
        assert_eq!(
            listings::withdraw(&t.db, &events, owner, id, now).await,
            withdrawn
        );
        assert_eq!(
            events.take(),
            vec![
                DomainEvent::ListingUpdated {
                    listing_id: id,
                    business_id: owner.user_id
                },
                DomainEvent::ListingWithdrawn {
                    listing_id: id,
                    business_id: owner.user_id
                },
            ]
        );

        // Expired, then claimed: neither can be changed any more.
        let expiring = post().await.unwrap();
        let later = now + Duration::hours(4);
        let expired = Err(DomainError::Unavailable(ListingState::Expired));
        assert_eq!(
            listings::withdraw(&t.db, &events, owner, expiring, later).await,
            expired
        );
        let claimed_id = post().await.unwrap();
        listing::Entity::update_many()
            .col_expr(listing::Column::Status, Expr::value(ListingStatus::Claimed))
            .filter(listing::Column::Id.eq(claimed_id))
            .exec(&t.db)
            .await
            .unwrap();
        let claimed = Err(DomainError::Unavailable(ListingState::Claimed));
        assert_eq!(
            listings::update(&t.db, &events, owner, claimed_id, &edited, None, now).await,
            claimed
        );

        // One per page: every listing is there, a page at a time.
        let mut states = Vec::new();
        let mut after = None;
        loop {
            let page = listings::mine(&t.db, owner, after.as_deref(), now, 1)
                .await
                .unwrap();
            states.extend(page.items.iter().map(|l| l.listing.state));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        assert_eq!(
            states,
            vec![
                ListingState::Claimed,
                ListingState::Available,
                ListingState::Withdrawn
            ],
            "newest first"
        );
        assert_eq!(
            listings::mine(&t.db, client, None, now, 50).await,
            Err(DomainError::Forbidden)
        );
    }
}

#[tokio::test]
async fn clients_search_by_text_and_category() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let events = RecordedEvents::default();
        let now = common::now();
        let mut rice = common::form(now, 3);
        rice.item_name = "Riz sauté".into();
        rice.category = "prepared_meals".into();
        rice.description = "Au poulet, 100% fait maison".into();
        for form in [common::form(now, 3), rice] {
            listings::create(
                &t.db,
                &events,
                business,
                &form,
                Some(Ok(common::photo())),
                now,
            )
            .await
            .unwrap();
        }
        let names = |query: BrowseQuery| {
            let db = &t.db;
            async move {
                let page = browse::browse(db, &query, now, 20).await.unwrap();
                page.items
                    .into_iter()
                    .map(|c| c.item_name)
                    .collect::<Vec<_>>()
            }
        };
        // Case-insensitive, in the name or the description; % and _ are literal.
        for (search, expected) in [
            ("PAIN", "Pain complet"),
            ("poulet", "Riz sauté"),
            ("100%", "Riz sauté"),
            ("%", "Riz sauté"),
        ] {
            let query = BrowseQuery {
                search: Some(search.into()),
                ..Default::default()
            };
            assert_eq!(
                names(query).await,
                vec![expected],
                "{}: {search}",
                t.backend
            );
        }
        assert_eq!(
            names(BrowseQuery {
                category: Some(Category::Bakery),
                ..Default::default()
            })
            .await,
            vec!["Pain complet"],
            "{}",
            t.backend
        );
    }
}

/// Inserts `count` listings directly (no photos), created a second apart, half of them
/// ending in reverse order, with every tenth one withdrawn and every ninth one expired.
async fn many_listings(t: &TestDb, count: i64) -> HashMap<i64, listing::Model> {
    let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
    let now = common::now();
    let mut rows = Vec::new();
    for i in 0..count {
        let withdrawn = i % 10 == 0;
        let expired = i % 9 == 0;
        rows.push(listing::ActiveModel {
            business_id: Set(business.user_id),
            item_name: Set(format!("Listing {i}")),
            quantity: Set(1.0),
            unit: Set(Unit::Items),
            category: Set(Category::Other),
            dietary_tags: Set(Default::default()),
            description: Set(String::new()),
            // Many share a timestamp, so pages must break ties by id.
            available_until: Set(if expired {
                now - Duration::minutes(1)
            } else {
                now + Duration::minutes(count - i / 3)
            }),
            status: Set(if withdrawn {
                ListingStatus::Withdrawn
            } else {
                ListingStatus::Available
            }),
            created_at: Set(now - Duration::seconds(i / 4)),
            updated_at: Set(now),
            ..Default::default()
        });
    }
    for chunk in rows.chunks(1000) {
        listing::Entity::insert_many(chunk.to_vec())
            .exec(&t.db)
            .await
            .unwrap();
    }
    listing::Entity::find()
        .filter(listing::Column::Status.eq(ListingStatus::Available))
        .filter(listing::Column::AvailableUntil.gt(now))
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.id, l))
        .collect()
}

#[tokio::test]
async fn walking_every_page_of_ten_thousand_listings_shows_each_available_one_exactly_once() {
    let t = TestDb::new(Backend::Postgres).await;
    let available = many_listings(&t, 10_000).await;
    assert!(available.len() > 7_000, "{}", available.len());
    let now = common::now();

    for sort in [Sort::Newest, Sort::EndingSoon] {
        let mut seen = Vec::new();
        let mut query = BrowseQuery {
            sort: Some(sort),
            ..Default::default()
        };
        let mut previous_key = None;
        loop {
            let page = browse::browse(&t.db, &query, now, 50).await.unwrap();
            for card in &page.items {
                let row = &available[&card.id];
                let key = match sort {
                    Sort::Newest => (-row.created_at.timestamp(), -card.id),
                    Sort::EndingSoon => (row.available_until.timestamp(), card.id),
                };
                assert!(
                    previous_key.is_none_or(|p| p < key),
                    "{sort:?}: out of order at {}",
                    card.id
                );
                previous_key = Some(key);
                seen.push(card.id);
            }
            match page.next {
                Some(next) => query.after = Some(next),
                None => break,
            }
        }
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(
            seen.len(),
            unique.len(),
            "{sort:?}: a listing was shown twice"
        );
        assert_eq!(
            unique,
            available.keys().copied().collect(),
            "{sort:?}: every available listing, and only those"
        );
    }
}

#[tokio::test]
async fn an_unknown_code_in_the_database_is_an_error_never_a_guess() {
    use sea_orm::ConnectionTrait;
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let id = common::post_listing(&t.db, business, 3).await;
        // Written by something other than FoodBridge: a unit it does not know.
        t.db.execute_unprepared(&format!(
            "UPDATE listings SET unit = 'tonnes' WHERE id = {id}"
        ))
        .await
        .unwrap();
        let now = common::now();
        assert!(
            matches!(
                listings::get(&t.db, id, now).await,
                Err(DomainError::Database(message)) if message.contains("tonnes") || message.contains("unit")
            ),
            "{}",
            t.backend
        );
        assert!(
            matches!(
                browse::browse(&t.db, &BrowseQuery::default(), now, 20).await,
                Err(DomainError::Database(_))
            ),
            "{}",
            t.backend
        );
    }
}
