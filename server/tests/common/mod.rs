//! Helpers shared by the tests that run real replicas on real ports.
#![allow(dead_code)] // each test file uses its own subset

use std::net::SocketAddr;

use clap::Parser;
use reqwest::{StatusCode, header};
use server::{config::Config, startup};
use tokio::net::TcpListener;

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| REDIS_URL.to_owned())
}

/// A replica's configuration from command-line arguments.
/// A replica's settings from `args`. The fair share is lifted: these tests have clients claim
/// many listings, and the fair share has tests of its own (`app/tests/claim_life.rs`).
pub fn config(args: &[&str]) -> Config {
    let lifted = ["--claims-max-live", "1000", "--claims-max-per-day", "1000"];
    Config::try_parse_from(
        std::iter::once("foodbridge")
            .chain(lifted)
            .chain(args.iter().copied()),
    )
    .unwrap()
}

/// Starts a replica on PostgreSQL and Redis (without its background work) on a free port, and
/// returns its base URL.
pub async fn replica(database_url: &str, key_prefix: &str) -> String {
    let redis = redis_url();
    let config = config(&[
        "--database-url",
        database_url,
        "--redis-url",
        &redis,
        "--redis-key-prefix",
        key_prefix,
    ]);
    listen(startup::app(&config).await.expect("replica starts")).await
}

/// A Redis key prefix of its own for one test.
pub fn key_prefix() -> String {
    format!("{}:", testkit::unique_name("fbtest"))
}

/// Removes what a test left in Redis under its key `prefix`: the live events' stream (once
/// the replicas have finished writing to it: they do so in the background), and the keys
/// named `{prefix}{other}` for each of `others`.
pub async fn remove_keys(prefix: &str, others: &[&str]) {
    use tower_sessions_redis_store::fred::prelude::{
        Builder, ClientLike, Config, KeysInterface, StreamsInterface,
    };
    let redis = Builder::from_config(Config::from_url(&redis_url()).unwrap())
        .build()
        .unwrap();
    redis.init().await.unwrap();
    let events = format!("{prefix}events");
    let mut last: Option<String> = None;
    for _ in 0..50 {
        let newest: Vec<(String, std::collections::HashMap<String, String>)> = redis
            .xrevrange_values(&events, "+", "-", Some(1))
            .await
            .unwrap();
        let newest = newest.into_iter().next().map(|(id, _)| id);
        if newest == last {
            break;
        }
        last = newest;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    for key in std::iter::once("events").chain(others.iter().copied()) {
        let _: i64 = redis.del(format!("{prefix}{key}")).await.unwrap();
    }
}

/// Two replicas sharing one database and one Redis prefix, as behind a load balancer.
pub async fn two_replicas(database_url: &str, key_prefix: &str) -> [String; 2] {
    [
        replica(database_url, key_prefix).await,
        replica(database_url, key_prefix).await,
    ]
}

/// Serves `app` on a free port and returns its base URL.
pub async fn listen(app: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

/// Calls a server function as a script would: form fields in, JSON out.
pub async fn call(
    base: &str,
    endpoint: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let mut request = client
        .post(format!("{base}/api/{endpoint}"))
        .header(header::ACCEPT, "application/json")
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned());
    (status, cookie, response.text().await.unwrap())
}

/// Registers a `role` account and returns its session cookie.
pub async fn register(base: &str, role: &str, email: &str) -> String {
    let (status, cookie, body) = call(
        base,
        "register",
        None,
        &[
            ("role", role),
            ("display_name", "Amina"),
            ("pickup_location", "Rue Joss, Akwa, Douala"),
            ("email", email),
            ("phone", "677123456"),
            ("password", "banane-douce-77"),
            ("language", "en"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    cookie.expect("a session cookie")
}

/// Posts a listing, available for three hours, directly in the database (the photo pipeline
/// has tests of its own).
pub async fn listing(db: &sea_orm::DatabaseConnection, business_email: &str) -> i64 {
    listing_for(db, business_email, chrono::Duration::hours(3)).await
}

/// Posts a listing available for `available_for` from now (negative: it has expired).
pub async fn listing_for(
    db: &sea_orm::DatabaseConnection,
    business_email: &str,
    available_for: chrono::Duration,
) -> i64 {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let business = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(business_email))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    testkit::plain_listing(db, business.id, available_for)
        .await
        .unwrap()
}
