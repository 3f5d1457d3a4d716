//! The atomic claim, on SQLite and on the real PostgreSQL.

mod common;

use app::{
    domain::error::DomainError,
    domain::{
        claims,
        events::{DomainEvent, RecordedEvents},
        listings,
    },
    dto::{ListingState, Role},
};
use chrono::Duration;
use entity::claim;
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use testkit::TestDb;

#[tokio::test]
async fn a_client_claims_and_gets_what_is_needed_for_the_pickup() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let client = common::user(&t.db, Role::Client, "amina@example.cm").await;
        let id = common::post_listing(&t.db, business, 3).await;
        let events = RecordedEvents::default();

        let claim = claims::Desk::new(t.db.clone())
            .claim(&events, client, id, common::now(), common::PLENTY)
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", t.backend));
        assert_eq!(claim.listing_id, id);
        assert_eq!(claim.business_name, "Boulangerie du Coin");
        assert_eq!(claim.pickup_location, "Rue Joss, Akwa, Douala");
        assert_eq!(claim.business_phone, "+237677123456");
        assert_eq!(claim.business_email, "bakery@example.cm");
        assert_eq!(
            events.take(),
            vec![DomainEvent::ListingClaimed {
                listing_id: id,
                business_id: business.user_id,
                client_id: client.user_id
            }]
        );
        assert_eq!(
            listings::get(&t.db, id, common::now()).await.unwrap().state,
            ListingState::Claimed,
            "{}",
            t.backend
        );
        assert_eq!(
            claims::mine(&t.db, client, None, claim.checked_at, 50)
                .await
                .unwrap()
                .items,
            vec![claim.clone()]
        );

        let own = listings::mine(&t.db, business, None, common::now(), 50)
            .await
            .unwrap();
        let claimant = own.items[0]
            .claimed_by
            .as_ref()
            .expect("the business sees who claimed it");
        assert_eq!(
            (claimant.contact_name.as_str(), claimant.email.as_str()),
            ("Amina Ngono", "amina@example.cm")
        );
        assert_eq!(claimant.claimed_at, claim.claimed_at);
    }
}

#[tokio::test]
async fn only_clients_claim_and_only_what_is_still_available() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let client = common::user(&t.db, Role::Client, "amina@example.cm").await;
        let other = common::user(&t.db, Role::Client, "paul@example.cm").await;
        let events = RecordedEvents::default();
        let id = common::post_listing(&t.db, business, 1).await;

        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(&events, business, id, common::now(), common::PLENTY)
                .await,
            Err(DomainError::Forbidden)
        );
        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(&events, client, 999_999, common::now(), common::PLENTY)
                .await,
            Err(DomainError::NotFound)
        );

        let expired = Err(DomainError::Unavailable(ListingState::Expired));
        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(
                    &events,
                    client,
                    id,
                    common::now() + Duration::hours(2),
                    common::PLENTY
                )
                .await,
            expired,
            "{}",
            t.backend
        );

        let withdrawn_id = common::post_listing(&t.db, business, 3).await;
        listings::withdraw(&t.db, &events, business, withdrawn_id, common::now())
            .await
            .unwrap();
        let withdrawn = Err(DomainError::Unavailable(ListingState::Withdrawn));
        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(&events, client, withdrawn_id, common::now(), common::PLENTY)
                .await,
            withdrawn
        );

        claims::Desk::new(t.db.clone())
            .claim(&events, client, id, common::now(), common::PLENTY)
            .await
            .unwrap();
        let taken = Err(DomainError::Unavailable(ListingState::Claimed));
        assert_eq!(
            claims::Desk::new(t.db.clone())
                .claim(&events, other, id, common::now(), common::PLENTY)
                .await,
            taken
        );
        let again = claims::Desk::new(t.db.clone())
            .claim(&events, client, id, common::now(), common::PLENTY)
            .await
            .expect("a repeated claim is answered with the claim");
        assert_eq!(
            claims::mine(&t.db, client, None, common::now(), 50)
                .await
                .unwrap()
                .items[0]
                .claim_id,
            again.claim_id
        );
        assert_eq!(claim::Entity::find().count(&t.db).await.unwrap(), 1);
        assert_eq!(
            claims::mine(&t.db, business, None, common::now(), 50).await,
            Err(DomainError::Forbidden)
        );
    }
}

#[tokio::test]
async fn a_claim_that_fails_before_its_commit_changes_nothing_and_announces_nothing() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let client = common::user(&t.db, Role::Client, "amina@example.cm").await;
        let id = common::post_listing(&t.db, business, 3).await;
        let events = RecordedEvents::default();
        // The emails' outbox is written after the listing's update and the claim's insert: make
        // that last write fail.
        t.db.execute_unprepared("ALTER TABLE outbox RENAME TO outbox_gone")
            .await
            .unwrap();

        let failed = claims::Desk::new(t.db.clone())
            .claim(&events, client, id, common::now(), common::PLENTY)
            .await;
        assert!(
            matches!(failed, Err(DomainError::Database(_))),
            "{}: {failed:?}",
            t.backend
        );
        assert_eq!(
            events.take(),
            vec![],
            "{}: nothing was committed",
            t.backend
        );
        assert_eq!(claim::Entity::find().count(&t.db).await.unwrap(), 0);
        assert_eq!(
            listings::get(&t.db, id, common::now()).await.unwrap().state,
            ListingState::Available,
            "{}",
            t.backend
        );
    }
}

#[tokio::test]
async fn a_hundred_clients_claiming_at_once_make_exactly_one_claim() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let id = common::post_listing(&t.db, business, 3).await;
        let clients = common::many_clients(&t.db, 100).await;
        let events = RecordedEvents::default();
        let now = common::now();
        let desk = claims::Desk::new(t.db.clone());

        let results = join_all(
            clients
                .iter()
                .map(|&c| desk.claim(&events, c, id, now, common::PLENTY)),
        )
        .await;
        let won = results.iter().filter(|r| r.is_ok()).count();
        let taken = results
            .iter()
            .filter(|r| **r == Err(DomainError::Unavailable(ListingState::Claimed)))
            .count();
        assert_eq!(
            (won, taken),
            (1, 99),
            "{}: {:?}",
            t.backend,
            results.iter().find(|r| r.is_err())
        );
        assert_eq!(
            claim::Entity::find()
                .filter(claim::Column::ListingId.eq(id))
                .count(&t.db)
                .await
                .unwrap(),
            1
        );
        assert_eq!(events.take().len(), 1, "one claim, one event");
    }
}

#[tokio::test]
async fn a_thousand_claims_over_a_hundred_listings_claim_each_listing_once() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let mut ids = Vec::new();
        for _ in 0..100 {
            ids.push(common::post_listing(&t.db, business, 3).await);
        }
        let clients = common::many_clients(&t.db, 10).await;
        let events = RecordedEvents::default();
        let now = common::now();

        // Every client tries every listing, all at once, in a different order each.
        let attempts = clients.iter().enumerate().flat_map(|(n, &client)| {
            let mut order = ids.clone();
            order.rotate_left(n * 7 % ids.len());
            order.into_iter().map(move |id| (client, id))
        });
        // Made at a replica's desk: together, as many as can go in one statement.
        let desk = claims::Desk::new(t.db.clone());
        let results = join_all(
            attempts.map(|(client, id)| desk.claim(&events, client, id, now, common::PLENTY)),
        )
        .await;
        assert_eq!(results.len(), 1000);
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            100,
            "{}",
            t.backend
        );
        assert!(
            results.iter().all(|r| r.is_ok()
                || *r
                    == Err(DomainError::Unavailable(ListingState::Claimed))),
            "{}: {:?}",
            t.backend,
            results.iter().find(|r| r.is_err()
                && **r
                    != Err(DomainError::Unavailable(ListingState::Claimed)))
        );
        let rows = claim::Entity::find().all(&t.db).await.unwrap();
        assert_eq!(rows.len(), 100);
        let mut claimed: Vec<i64> = rows.iter().map(|c| c.listing_id).collect();
        claimed.sort_unstable();
        ids.sort_unstable();
        assert_eq!(claimed, ids, "each listing exactly once");
    }
}

#[tokio::test]
async fn my_claims_lists_every_claim_newest_first_with_its_pickup_details() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let client = common::user(&t.db, Role::Client, "amina@example.cm").await;
        let events = RecordedEvents::default();
        let mut claimed = Vec::new();
        for minutes in 0..3 {
            let id = common::post_listing(&t.db, business, 3).await;
            let at = common::now() + Duration::minutes(minutes);
            claimed.push(
                claims::Desk::new(t.db.clone())
                    .claim(&events, client, id, at, common::PLENTY)
                    .await
                    .unwrap(),
            );
        }

        // Two per page: nothing is cut, the older claim is on the next page.
        let read_at = claimed[2].checked_at;
        for claim in &mut claimed {
            claim.checked_at = read_at;
        }
        let first = claims::mine(&t.db, client, None, read_at, 2).await.unwrap();
        let next = first.next.clone().expect("an older claim follows");
        let second = claims::mine(&t.db, client, Some(&next), read_at, 2)
            .await
            .unwrap();
        assert_eq!(second.next, None, "{}", t.backend);
        let mine: Vec<_> = first.items.into_iter().chain(second.items).collect();
        claimed.reverse();
        assert_eq!(mine, claimed, "{}", t.backend);
        assert!(
            mine.iter()
                .all(|c| c.thumbnail.as_ref().is_some_and(|t| t.width == 400)),
            "{mine:?}"
        );
    }
}
