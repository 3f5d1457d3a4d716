//! The browse cache serves what it read until a listing event says otherwise, and never a
//! listing past its deadline. (That a claim on one replica is never served as claimable by
//! another is `server/tests/replicas.rs`.)

mod common;

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use app::{
    domain::{
        browse::BrowseQuery,
        browse_cache::{BrowseCache, Upstream},
        claims,
        events::RecordedEvents,
        listings,
    },
    dto::Role,
};
use chrono::Duration;
use entity::codes::ListingStatus;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use testkit::TestDb;

/// Withdraws a listing in the database alone, with no event: what another replica's change
/// looks like to a replica that has not heard of it yet.
async fn withdraw_unannounced(db: &sea_orm::DatabaseConnection, id: i64) {
    entity::listing::ActiveModel {
        id: Set(id),
        status: Set(ListingStatus::Withdrawn),
        ..Default::default()
    }
    .update(db)
    .await
    .unwrap();
}

fn ids(page: &app::dto::Page<app::dto::ListingCard>) -> Vec<i64> {
    page.items.iter().map(|card| card.id).collect()
}

#[tokio::test]
async fn a_page_is_read_once_and_again_after_every_listing_event() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let client = common::user(&t.db, Role::Client, "amina@example.cm").await;
        let first = common::post_listing(&t.db, business, 3).await;
        let second = common::post_listing(&t.db, business, 3).await;
        let cache = BrowseCache::default();
        let query = BrowseQuery::default();
        let now = common::now();

        let page = cache.browse(&t.db, &query, now, 20).await.unwrap();
        assert_eq!(ids(&page), vec![second, first], "{}", t.backend);

        // A change behind the cache's back (no event) is not seen: the page was cached.
        withdraw_unannounced(&t.db, second).await;
        let cached = cache.browse(&t.db, &query, now, 20).await.unwrap();
        assert_eq!(ids(&cached), vec![second, first], "{}", t.backend);
        // Another filter is another page.
        let other = BrowseQuery {
            search: Some("pain".into()),
            ..BrowseQuery::default()
        };
        let searched = cache.browse(&t.db, &other, now, 20).await.unwrap();
        assert_eq!(ids(&searched), vec![first], "{}", t.backend);

        // Any listing event makes every cached page old.
        cache.invalidate();
        let page = cache.browse(&t.db, &query, now, 20).await.unwrap();
        assert_eq!(ids(&page), vec![first], "{}", t.backend);

        let events = RecordedEvents::default();
        claims::Desk::new(t.db.clone())
            .claim(&events, client, first, now, common::PLENTY)
            .await
            .unwrap();
        assert_eq!(events.take().len(), 1, "{}", t.backend);
        cache.invalidate();
        let page = cache.browse(&t.db, &query, now, 20).await.unwrap();
        assert!(page.items.is_empty(), "{}: {:?}", t.backend, ids(&page));
    }
}

#[tokio::test]
async fn a_cached_listing_is_never_served_past_its_deadline() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let soon = common::post_listing(&t.db, business, 1).await;
        let later = common::post_listing(&t.db, business, 3).await;
        let deadline = listings::get(&t.db, soon, common::now())
            .await
            .unwrap()
            .available_until;
        let cache = BrowseCache::default();
        let query = BrowseQuery::default();

        let before = deadline - Duration::minutes(30);
        let page = cache.browse(&t.db, &query, before, 20).await.unwrap();
        assert_eq!(ids(&page), vec![later, soon], "{}", t.backend);
        assert_eq!(page.items[1].minutes_left, 30, "{}", t.backend);
        // Read from the cache, the minutes left are those of the moment it is read at.
        let page = cache
            .browse(&t.db, &query, deadline - Duration::minutes(10), 20)
            .await
            .unwrap();
        assert_eq!(page.items[1].minutes_left, 10, "{}", t.backend);

        let page = cache.browse(&t.db, &query, deadline, 20).await.unwrap();
        assert_eq!(ids(&page), vec![later], "{}", t.backend);
    }
}

/// An event stream this replica has, or has not, read to its end.
struct Stream(AtomicBool);

#[async_trait::async_trait]
impl Upstream for Stream {
    async fn caught_up(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_replica_behind_the_event_stream_reads_the_database() {
    for t in TestDb::each().await {
        let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
        let id = common::post_listing(&t.db, business, 3).await;
        let stream = Arc::new(Stream(AtomicBool::new(true)));
        let cache = BrowseCache::default();
        cache.follow(stream.clone());
        let query = BrowseQuery::default();
        let now = common::now();
        assert_eq!(
            ids(&cache.browse(&t.db, &query, now, 20).await.unwrap()),
            vec![id]
        );

        // Another replica withdrew it and wrote the event; this one has not read it yet.
        withdraw_unannounced(&t.db, id).await;
        stream.0.store(false, Ordering::SeqCst);
        let page = cache.browse(&t.db, &query, now, 20).await.unwrap();
        assert!(page.items.is_empty(), "{}", t.backend);
    }
}

/// A stream whose every question waits for the test to answer it, and counts them.
struct Held {
    asked: std::sync::atomic::AtomicUsize,
    answers: tokio::sync::Semaphore,
}

#[async_trait::async_trait]
impl Upstream for Held {
    async fn caught_up(&self) -> bool {
        self.asked.fetch_add(1, Ordering::SeqCst);
        self.answers.acquire().await.unwrap().forget();
        true
    }
}

/// Lets the spawned readers run until they wait on the stream.
async fn settle() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn readers_share_a_question_to_the_stream_asked_after_they_arrived() {
    let t = TestDb::new(testkit::Backend::Sqlite).await;
    let business = common::user(&t.db, Role::Business, "bakery@example.cm").await;
    common::post_listing(&t.db, business, 3).await;
    let stream = Arc::new(Held {
        asked: Default::default(),
        answers: tokio::sync::Semaphore::new(0),
    });
    let cache = Arc::new(BrowseCache::default());
    cache.follow(stream.clone());
    let read = || {
        let (cache, db) = (cache.clone(), t.db.clone());
        tokio::spawn(async move {
            cache
                .browse(&db, &BrowseQuery::default(), common::now(), 20)
                .await
                .unwrap()
        })
    };

    let first = read();
    settle().await;
    assert_eq!(stream.asked.load(Ordering::SeqCst), 1);
    // Three readers arrive while the first question is out: its answer may predate an event
    // written since they arrived, so they wait for the next question, one for the three.
    let later = [read(), read(), read()];
    settle().await;
    assert_eq!(stream.asked.load(Ordering::SeqCst), 1);

    stream.answers.add_permits(1);
    first.await.unwrap();
    settle().await;
    assert_eq!(stream.asked.load(Ordering::SeqCst), 2);
    assert!(later.iter().all(|reader| !reader.is_finished()));

    stream.answers.add_permits(1);
    for reader in later {
        assert_eq!(reader.await.unwrap().items.len(), 1);
    }
    assert_eq!(stream.asked.load(Ordering::SeqCst), 2);
}
