//! Two replicas on their own ports, sharing the real PostgreSQL and Redis: whatever one does
//! with a session, or to a listing, the other sees.

mod common;

use common::{call, listing, register, replica};
use reqwest::StatusCode;
use testkit::{Backend, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_made_on_one_replica_works_on_the_other_until_logout() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let [a, b] = common::two_replicas(&t.url, &prefix).await;

    let cookie = register(&a, "client", "amina@example.cm").await;
    let (status, _, body) = call(&b, "current_user", Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains(r#""email":"amina@example.cm""#),
        "replica B does not know the session: {body}"
    );

    let (status, _, _) = call(&a, "logout", Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, body) = call(&b, "current_user", Some(&cookie), &[]).await;
    assert_eq!(
        body, "null",
        "the session outlived logout on the other replica"
    );
    let (status, _, _) = call(&b, "my_business", Some(&cookie), &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logging_in_gives_a_new_session_id() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let a = replica(&t.url, &prefix).await;
    let first = register(&a, "client", "amina@example.cm").await;

    let login = [
        ("email", "amina@example.cm"),
        ("password", "banane-douce-77"),
    ];
    let (status, second, _) = call(&a, "login", Some(&first), &login).await;
    assert_eq!(status, StatusCode::OK);
    let second = second.expect("login sets a cookie");
    assert_ne!(first, second, "the session id was not rotated at login");
    let (_, _, body) = call(&a, "current_user", Some(&first), &[]).await;
    assert_eq!(body, "null", "the pre-login session id still works");
    call(&a, "logout", Some(&second), &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_counted_across_replicas() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let [a, b] = common::two_replicas(&t.url, &prefix).await;
    let cookie = register(&a, "client", "amina@example.cm").await;
    call(&a, "logout", Some(&cookie), &[]).await;

    let wrong = [
        ("email", "amina@example.cm"),
        ("password", "not-my-password"),
    ];
    for base in [&a, &a, &a, &b, &b] {
        let (status, _, body) = call(base, "login", None, &wrong).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body, r#""InvalidCredentials""#);
    }
    // Even the right password now waits, on either replica.
    let right = [
        ("email", "amina@example.cm"),
        ("password", "banane-douce-77"),
    ];
    for base in [&b, &a] {
        let (status, cookie, body) = call(base, "login", None, &right).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
        assert!(body.contains("RateLimited"), "{body}");
        assert_eq!(cookie, None, "a refused login must not open a session");
    }

    common::remove_keys(
        &prefix,
        &["login:account:amina@example.cm", "login:address:127.0.0.1"],
    )
    .await;
}

/// The listing ids on the first page of `list_listings`, the browse page, and whether that
/// page came from the replica's page cache.
async fn browsed(base: &str, cookie: &str) -> (Vec<i64>, String, bool) {
    let (status, _, body) = call(base, "list_listings", Some(cookie), &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    let ids = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card["id"].as_i64().unwrap())
        .collect();
    let response = reqwest::Client::new()
        .get(format!("{base}/browse"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let cached = response.headers()["x-cache"] == "hit";
    (ids, response.text().await.unwrap(), cached)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_claimed_or_withdrawn_on_one_replica_is_gone_from_the_other_s_browse_at_once() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let [a, b] = common::two_replicas(&t.url, &prefix).await;
    let business = register(&a, "business", "bakery@example.cm").await;
    let client = register(&a, "client", "amina@example.cm").await;
    let mut listings = Vec::new();
    for _ in 0..8 {
        listings.push(listing(&t.db, "bakery@example.cm").await);
    }

    // Each round: B has the page cached (read until its page is the kept one: a card's
    // minutes left ticking over between two reads makes it a new page), A changes a listing
    // and answers, and B at once no longer offers it, in the JSON or in the page (rendered
    // again).
    for (round, id) in listings.iter().enumerate() {
        let mut kept = false;
        for _ in 0..5 {
            let (ids, html, cached) = browsed(&b, &client).await;
            assert!(ids.contains(id), "round {round}: {id} missing from {ids:?}");
            assert!(html.contains(&format!("/listings/{id}\"")), "round {round}");
            kept = cached;
            if kept {
                break;
            }
        }
        assert!(kept, "round {round}: the page was never the kept one");
        let (endpoint, cookie) = if round % 2 == 0 {
            ("claim_listing", &client)
        } else {
            ("withdraw_listing", &business)
        };
        let (status, _, body) = call(
            &a,
            endpoint,
            Some(cookie),
            &[("listing_id", &id.to_string())],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
        let (ids, html, cached) = browsed(&b, &client).await;
        assert!(
            !cached,
            "round {round}: {endpoint} on A, B's kept page served"
        );
        assert!(
            !ids.contains(id),
            "round {round}: {endpoint} on A, still on B: {ids:?}"
        );
        assert!(
            !html.contains(&format!("/listings/{id}\"")),
            "round {round}: {endpoint} on A, still in B's page"
        );
    }

    common::remove_keys(&prefix, &[]).await;
}
