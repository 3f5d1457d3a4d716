//! Claims through HTTP, on two replicas sharing the real PostgreSQL and Redis: 100 clients
//! racing for one listing, then 1,000 claims over 100 listings.

mod common;

use common::{call, listing, register};
use futures_util::future::join_all;
use reqwest::StatusCode;
use testkit::{Backend, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_two_replicas_one_listing_has_one_winner_and_a_thousand_claims_take_a_hundred_listings_once()
 {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let replicas = common::two_replicas(&t.url, &prefix).await;
    let business = register(&replicas[0], "business", "bakery@example.cm").await;
    let mut cookies = Vec::new();
    for chunk in (0..100).collect::<Vec<_>>().chunks(10) {
        let batch = chunk.iter().map(|i| {
            let base = replicas[i % 2].clone();
            async move { register(&base, "client", &format!("client{i}@example.cm")).await }
        });
        cookies.extend(join_all(batch).await);
    }

    // 100 claims on the same listing, at the same moment, half through each replica.
    let id = listing(&t.db, "bakery@example.cm").await.to_string();
    let attempts = cookies.iter().enumerate().map(|(i, cookie)| {
        let base = replicas[i % 2].clone();
        let id = id.clone();
        async move { call(&base, "claim_listing", Some(cookie), &[("listing_id", &id)]).await }
    });
    let results = join_all(attempts).await;
    let won: Vec<_> = results
        .iter()
        .filter(|(status, _, _)| *status == StatusCode::OK)
        .collect();
    let taken = results
        .iter()
        .filter(|(status, _, body)| {
            *status == StatusCode::CONFLICT && body.contains(r#""state":"claimed""#)
        })
        .count();
    assert_eq!(
        (won.len(), taken),
        (1, 99),
        "{:?}",
        results
            .iter()
            .find(|(s, _, _)| *s != StatusCode::OK && *s != StatusCode::CONFLICT)
    );
    assert!(
        won[0].2.contains(r#""business_phone":"+237677123456""#),
        "the winner learns how to collect: {}",
        won[0].2
    );

    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(entity::claim::Entity::find().count(&t.db).await.unwrap(), 1);

    // And the winner finds it again under "My claims", on the other replica too.
    let winner = results
        .iter()
        .position(|(status, _, _)| *status == StatusCode::OK)
        .unwrap();
    let (status, _, body) = call(
        &replicas[(winner + 1) % 2],
        "my_claims",
        Some(&cookies[winner]),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains(&format!(r#""listing_id":{id}"#)), "{body}");

    // Then 1,000 claims over 100 new listings: each client tries ten of them, in its own
    // order, all at once, half through each replica.
    let mut ids = Vec::new();
    for _ in 0..100 {
        ids.push(listing(&t.db, "bakery@example.cm").await);
    }
    let attempts = cookies.iter().enumerate().flat_map(|(i, cookie)| {
        let replicas = &replicas;
        let ids = &ids;
        (0..10).map(move |k| {
            let id = ids[(i * 7 + k * 13) % ids.len()].to_string();
            let base = replicas[(i + k) % 2].clone();
            async move {
                let (status, _, body) =
                    call(&base, "claim_listing", Some(cookie), &[("listing_id", &id)]).await;
                (status, body)
            }
        })
    });
    let results = join_all(attempts).await;
    let won = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    let taken = results
        .iter()
        .filter(|(s, body)| *s == StatusCode::CONFLICT && body.contains(r#""state":"claimed""#))
        .count();
    assert_eq!(
        (won, taken),
        (100, 900),
        "{:?}",
        results
            .iter()
            .find(|(s, _)| !s.is_success() && *s != StatusCode::CONFLICT)
    );
    use sea_orm::{ColumnTrait, QueryFilter};
    let claims = entity::claim::Entity::find()
        .filter(entity::claim::Column::ListingId.is_in(ids.clone()))
        .all(&t.db)
        .await
        .unwrap();
    let mut claimed: Vec<i64> = claims.iter().map(|c| c.listing_id).collect();
    claimed.sort();
    assert_eq!(claimed, ids, "each listing claimed exactly once");
    // Every claim queued its four emails (two now, a reminder, a follow-up), and nothing else
    // did.
    assert_eq!(
        entity::outbox::Entity::find().count(&t.db).await.unwrap(),
        4 * 101
    );

    // Leave nothing behind in the shared Redis: logging out deletes each session.
    cookies.push(business);
    join_all(
        cookies
            .iter()
            .map(|cookie| call(&replicas[0], "logout", Some(cookie), &[])),
    )
    .await;
    common::remove_keys(&prefix, &[]).await;
}

/// A phone that loses its connection mid-claim: the server drops the request's future at
/// whatever point it was. Dropped while waiting for the answer to its `BEGIN`, a claim used to
/// give its pooled connection back inside a transaction that sqlx did not know of: whatever ran
/// next on that connection was never committed and kept its locks (seen in the speed bench:
/// the email worker waited on them for good, and the server could not stop). Requests now run
/// to their end whoever waits for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_whose_client_goes_away_at_any_moment_leaves_no_transaction_open() {
    use axum::{body::Body, http::Request};
    use sea_orm::{ConnectionTrait, Statement};
    use std::time::Duration;
    use tower::ServiceExt;

    let t = TestDb::new(Backend::Postgres).await;
    let app = server::startup::app(&common::config(&["--database-url", &t.url]))
        .await
        .expect("replica starts");
    let base = common::listen(app.clone()).await;
    register(&base, "business", "bakery@example.cm").await;
    let cookie = register(&base, "client", "amina@example.cm").await;
    let mut ids = Vec::new();
    for _ in 0..400 {
        ids.push(listing(&t.db, "bakery@example.cm").await);
    }

    // Claims given up after 0 to 3 ms, spread, 16 at a time: some before their transaction,
    // some inside it, some after.
    for (round, chunk) in ids.chunks(16).enumerate() {
        let attempts = chunk.iter().enumerate().map(|(i, id)| {
            let request = Request::post("/api/claim_listing")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header("cookie", &cookie)
                .body(Body::from(format!("listing_id={id}")))
                .unwrap();
            let patience = Duration::from_micros(((round * 16 + i) * 7 % 3000) as u64);
            let app = app.clone();
            async move { tokio::time::timeout(patience, app.oneshot(request)).await }
        });
        join_all(attempts).await;
    }

    // Every connection of the replica's pool is either idle outside a transaction or at work.
    let stuck = || async {
        t.db.query_all_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT state, query FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid() \
             AND state LIKE 'idle in transaction%'",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "query").unwrap())
        .collect::<Vec<_>>()
    };
    let mut left = stuck().await;
    for _ in 0..20 {
        if left.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = stuck().await;
    }
    assert!(
        left.is_empty(),
        "connections left inside a transaction: {left:?}"
    );
}
