//! Live events over HTTP: `GET /events` on real replicas, read as a browser's EventSource
//! reads them.

mod common;

use std::time::{Duration, Instant};

use common::{call, config, listen, listing, register};
use futures_util::StreamExt;
use reqwest::{StatusCode, header};
use server::startup;
use testkit::{Backend, TestDb};

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
struct Received {
    event: String,
    id: Option<String>,
    data: serde_json::Value,
}

/// An open `GET /events`, read event by event.
struct EventStream {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<Vec<u8>>> + Send>>,
    buffer: String,
}

impl EventStream {
    async fn open(base: &str, cookie: Option<&str>, last_event_id: Option<&str>) -> Self {
        let mut request = reqwest::Client::new()
            .get(format!("{base}/events"))
            .header(header::ACCEPT, "text/event-stream");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/event-stream"
        );
        EventStream {
            body: Box::pin(
                response
                    .bytes_stream()
                    .map(|chunk| chunk.map(|b| b.to_vec())),
            ),
            buffer: String::new(),
        }
    }

    /// The id the stream opens with: where a page that has had no event yet stands.
    async fn opening_id(&mut self) -> String {
        while !self.buffer.contains("\n\n") {
            let chunk = tokio::time::timeout(SECOND, self.body.next())
                .await
                .expect("the stream opens at once")
                .expect("the stream is open");
            self.buffer
                .push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        }
        let end = self.buffer.find("\n\n").unwrap();
        let opening: String = self.buffer.drain(..end + 2).collect();
        opening
            .lines()
            .find_map(|line| line.strip_prefix("id:"))
            .expect("the opening has an id")
            .trim()
            .to_owned()
    }

    /// The next event (comments and the retry line skipped), or `None` when the server ended
    /// the stream; fails after `within`.
    async fn next(&mut self, within: Duration) -> Option<Received> {
        let deadline = Instant::now() + within;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = None;
                let (mut id, mut data) = (None, String::new());
                for line in block.lines() {
                    match line.split_once(':') {
                        Some(("event", v)) => event = Some(v.trim().to_owned()),
                        Some(("id", v)) => id = Some(v.trim().to_owned()),
                        Some(("data", v)) => data.push_str(v.trim()),
                        _ => {}
                    }
                }
                if let Some(event) = event {
                    return Some(Received {
                        event,
                        id,
                        data: serde_json::from_str(&data).unwrap(),
                    });
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.body.next()).await {
                Ok(Some(chunk)) => self
                    .buffer
                    .push_str(&String::from_utf8_lossy(&chunk.unwrap())),
                Ok(None) => return None,
                Err(_) => panic!("no event within {within:?}"),
            }
        }
    }
}

const SECOND: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_claim_through_one_replica_reaches_pages_on_the_other_within_a_second() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let [a, b] = common::two_replicas(&t.url, &prefix).await;
    let business = register(&a, "business", "bakery@example.cm").await;
    let client = register(&b, "client", "amina@example.cm").await;
    let first = listing(&t.db, "bakery@example.cm").await;
    let second = listing(&t.db, "bakery@example.cm").await;

    let mut visitor = EventStream::open(&a, None, None).await;
    let mut owner = EventStream::open(&a, Some(&business), None).await;
    let mut claimant = EventStream::open(&a, Some(&client), None).await;
    let (status, _, body) = call(
        &b,
        "claim_listing",
        Some(&client),
        &[("listing_id", &first.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let public = visitor.next(SECOND).await.unwrap();
    assert_eq!(public.event, "listing");
    assert_eq!(
        public.data,
        serde_json::json!({"listing": first, "change": "claimed", "state": "claimed", "mine": false}),
        "ids and states only"
    );
    assert_eq!(owner.next(SECOND).await.unwrap().data["mine"], true);
    assert_eq!(claimant.next(SECOND).await.unwrap().data["mine"], true);

    // The visitor's page drops; meanwhile the second listing goes. It reconnects to the other
    // replica with the last id it had, and gets what it missed.
    drop(visitor);
    let (status, _, body) = call(
        &a,
        "withdraw_listing",
        Some(&business),
        &[("listing_id", &second.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut visitor = EventStream::open(&b, None, public.id.as_deref()).await;
    let missed = visitor.next(SECOND).await.unwrap();
    assert_eq!(
        (
            missed.data["listing"].as_i64(),
            missed.data["state"].as_str()
        ),
        (Some(second), Some("withdrawn"))
    );

    // A replica that starts after all this (a restart, a new one) replays it too.
    let c = common::replica(&t.url, &prefix).await;
    let mut visitor = EventStream::open(&c, None, public.id.as_deref()).await;
    assert_eq!(visitor.next(SECOND).await.unwrap(), missed);

    common::remove_keys(&prefix, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_stream_stays_quiet_and_the_next_event_still_comes_at_once() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let [a, b] = common::two_replicas(&t.url, &prefix).await;
    register(&a, "business", "bakery@example.cm").await;
    let client = register(&b, "client", "amina@example.cm").await;
    let id = listing(&t.db, "bakery@example.cm").await;
    let mut page = EventStream::open(&a, None, None).await;

    // Longer than a replica's blocking read of Redis (5 s), which then comes back empty:
    // nothing to tell the page, and nothing missed after it.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let (status, _, body) = call(
        &b,
        "claim_listing",
        Some(&client),
        &[("listing_id", &id.to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let next = page.next(SECOND).await.unwrap();
    assert_eq!(
        (next.event.as_str(), next.data["listing"].as_i64()),
        ("listing", Some(id)),
        "{next:?}"
    );

    common::remove_keys(&prefix, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_redis_restarts_every_page_is_told_to_refetch() {
    // A Redis of this test's own, to restart.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let redis = Redis::start(port);
    let url = format!("redis://127.0.0.1:{port}");
    let t = TestDb::new(Backend::Postgres).await;
    let config = config(&["--database-url", &t.url, "--redis-url", &url]);
    let a = listen(startup::app(&config).await.unwrap()).await;
    let mut page = EventStream::open(&a, None, None).await;

    drop(redis);
    let _redis = Redis::start(port);
    // Events may have been lost while Redis was away: the page fetches afresh.
    let told = page.next(Duration::from_secs(15)).await.unwrap();
    assert_eq!(told.event, "refetch");
}

/// A redis-server of a test's own, stopped when dropped.
struct Redis(std::process::Child);

impl Redis {
    fn start(port: u16) -> Self {
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (Debian package redis-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Redis(child)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_reconnects_gets_what_it_missed_or_refetches() {
    let t = TestDb::new(Backend::Sqlite).await;
    let (app, background) = startup::start(&config(&["--database-url", &t.url]))
        .await
        .unwrap();
    let base = listen(app).await;
    let client = register(&base, "client", "amina@example.cm").await;
    register(&base, "business", "bakery@example.cm").await;
    let ids: Vec<String> = {
        let mut ids = Vec::new();
        for _ in 0..3 {
            ids.push(listing(&t.db, "bakery@example.cm").await.to_string());
        }
        ids
    };

    let mut page = EventStream::open(&base, None, None).await;
    // Nothing has happened yet: the page stands before everything.
    let before_anything = page.opening_id().await;
    call(
        &base,
        "claim_listing",
        Some(&client),
        &[("listing_id", &ids[0])],
    )
    .await;
    let seen = page.next(SECOND).await.unwrap();
    // A page opened now stands at that event, though it was never sent one.
    let mut quiet = EventStream::open(&base, None, None).await;
    let quiet_at = quiet.opening_id().await;
    assert_eq!(Some(&quiet_at), seen.id.as_ref());
    drop((page, quiet));
    for id in &ids[1..] {
        call(&base, "claim_listing", Some(&client), &[("listing_id", id)]).await;
    }

    // Both get what they missed when they come back.
    for last in [seen.id.as_deref().unwrap(), &quiet_at] {
        let mut page = EventStream::open(&base, None, Some(last)).await;
        for id in &ids[1..] {
            let missed = page.next(SECOND).await.unwrap();
            assert_eq!(missed.data["listing"].as_i64().unwrap().to_string(), *id);
        }
    }
    // One that opened before anything was kept fetches afresh.
    let mut page = EventStream::open(&base, None, Some(&before_anything)).await;
    assert_eq!(page.next(SECOND).await.unwrap().event, "refetch");

    // An id this replica cannot place (another run's, or junk): the page fetches afresh.
    for unknown in ["1-1", "junk"] {
        let mut page = EventStream::open(&base, None, Some(unknown)).await;
        assert_eq!(page.next(SECOND).await.unwrap().event, "refetch");
    }

    // Shutting down ends the streams, so browsers move to another replica.
    background.close_streams();
    assert_eq!(page.next(SECOND).await, None, "the stream ended");
    background.stop().await;
}
