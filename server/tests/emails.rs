//! Emails through a real SMTP server started by the test (mailin's protocol): each email arrives
//! once; with the server down, claims still succeed and the emails arrive once it is back; two
//! replicas' workers never send the same email. And the embedded default's `.eml` files.

mod common;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{call, config, listen, listing, register};
use futures_util::future::join_all;
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::startup;
use testkit::{
    Backend, TestDb,
    smtp::{self, Received},
};
use tokio::net::TcpListener;

type Inbox = Arc<Mutex<Vec<Received>>>;

/// A port nothing listens on (yet).
async fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts the SMTP server on `port`; it is accepting by the time this returns. Mail to
/// `nobody@…` is refused (no such mailbox).
async fn start_smtp(port: u16) -> Inbox {
    let inbox = Inbox::default();
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let delivered = inbox.clone();
    smtp::serve(listener, move |message| {
        delivered.lock().unwrap().push(message)
    });
    inbox
}

/// A business lists one item and the client `client_email` claims it, on `base`.
async fn claim_once(base: &str, db: &sea_orm::DatabaseConnection, client_email: &str) {
    register(base, "business", "bakery@example.cm").await;
    let client = register(base, "client", client_email).await;
    let id = listing(db, "bakery@example.cm").await.to_string();
    let (status, _, body) =
        call(base, "claim_listing", Some(&client), &[("listing_id", &id)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Polls `done` until it holds; fails the test after 60 s.
async fn until<F: Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The emails a claim sends at once (its reminder and follow-up are due hours later).
const AT_ONCE: [entity::codes::EmailKind; 2] = [
    entity::codes::EmailKind::ClaimToClient,
    entity::codes::EmailKind::ClaimToBusiness,
];

async fn sent_at_once(db: &sea_orm::DatabaseConnection) -> Vec<entity::outbox::Model> {
    entity::outbox::Entity::find()
        .filter(entity::outbox::Column::Kind.is_in(AT_ONCE))
        .all(db)
        .await
        .unwrap()
}

/// What `inbox` holds once every email of the outbox is settled, sent or abandoned. A settled
/// email is never taken again, and is marked sent only after the server took it: by then any
/// duplicate has arrived too.
async fn delivered(inbox: &Inbox, db: &sea_orm::DatabaseConnection) -> Vec<Received> {
    until("every email sent or abandoned", || async {
        let rows = sent_at_once(db).await;
        !rows.is_empty() && rows.iter().all(|e| e.due_at.is_none())
    })
    .await;
    inbox.lock().unwrap().clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_mail_server_down_claims_succeed_and_each_email_arrives_once_when_it_is_back() {
    let t = TestDb::new(Backend::Postgres).await;
    let prefix = common::key_prefix();
    let port = free_port().await;
    let smtp = format!("smtp://127.0.0.1:{port}");
    let redis = common::redis_url();
    let args = [
        "--database-url",
        &t.url,
        "--redis-url",
        &redis,
        "--redis-key-prefix",
        &prefix,
        "--smtp-url",
        &smtp,
        "--mail-poll-interval-ms",
        "200",
        "--mail-from",
        "FoodBridge <no-reply@foodbridge.test>",
    ];
    // Two replicas, each with its outbox worker running.
    let mut replicas = Vec::new();
    for _ in 0..2 {
        replicas.push(listen(startup::start(&config(&args)).await.unwrap().0).await);
    }

    // Ten clients each claim a listing, half through each replica, with no mail server.
    let business = register(&replicas[0], "business", "bakery@example.cm").await;
    let mut cookies = Vec::new();
    for i in 0..10 {
        let base = &replicas[i % 2];
        let client = register(base, "client", &format!("client{i}@example.cm")).await;
        let id = listing(&t.db, "bakery@example.cm").await.to_string();
        let (status, _, body) =
            call(base, "claim_listing", Some(&client), &[("listing_id", &id)]).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the claim does not wait for email: {body}"
        );
        cookies.push(client);
    }

    // The workers try, fail and keep every email for later.
    until("every email tried once", || async {
        let rows = sent_at_once(&t.db).await;
        rows.len() == 20 && rows.iter().all(|e| e.last_error.is_some())
    })
    .await;
    let outbox = sent_at_once(&t.db).await;
    assert_eq!(outbox.len(), 20);
    assert!(
        outbox
            .iter()
            .all(|e| e.sent_at.is_none() && e.due_at.is_some())
    );
    assert!(
        outbox
            .iter()
            .all(|e| e.attempts >= 1 && e.last_error.is_some()),
        "tried while the server was down: {outbox:?}"
    );

    // The mail server comes back: every email arrives, exactly once.
    let inbox = start_smtp(port).await;
    let received = delivered(&inbox, &t.db).await;
    assert_eq!(
        received.len(),
        20,
        "{:#?}",
        received.iter().map(|r| &r.to).collect::<Vec<_>>()
    );
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for message in &received {
        assert_eq!(message.to.len(), 1);
        *per_recipient.entry(message.to[0].clone()).or_default() += 1;
    }
    assert_eq!(per_recipient["bakery@example.cm"], 10);
    for i in 0..10 {
        assert_eq!(per_recipient[&format!("client{i}@example.cm")], 1);
    }
    let mut ids: Vec<_> = received.iter().map(|m| m.header("Message-ID")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 20, "twenty different emails");

    // Each side can answer the other directly.
    let to_client = received
        .iter()
        .find(|m| m.to[0] == "client3@example.cm")
        .unwrap();
    assert_eq!(
        to_client.header("Subject"),
        Some("Claim confirmed: Pain complet")
    );
    assert!(
        to_client
            .header("Reply-To")
            .unwrap()
            .contains("<bakery@example.cm>")
    );
    assert!(
        to_client.raw.contains("Content-Type: text/html"),
        "plain text and HTML"
    );
    let to_business = received
        .iter()
        .find(|m| m.to[0] == "bakery@example.cm")
        .unwrap();
    assert!(
        to_business
            .header("Reply-To")
            .unwrap()
            .contains("@example.cm>")
    );

    let unsent = entity::outbox::Entity::find()
        .filter(entity::outbox::Column::SentAt.is_null())
        .filter(entity::outbox::Column::Kind.is_in(AT_ONCE))
        .count(&t.db)
        .await
        .unwrap();
    assert_eq!(unsent, 0);

    cookies.push(business);
    join_all(
        cookies
            .iter()
            .map(|c| call(&replicas[0], "logout", Some(c), &[])),
    )
    .await;
    common::remove_keys(&prefix, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_each_email_is_written_as_an_eml_file() {
    let t = TestDb::new(Backend::Sqlite).await;
    let mail_dir = tempfile::tempdir().unwrap();
    let mail_path = mail_dir.path().to_str().unwrap();
    let args = [
        "--database-url",
        &t.url,
        "--mail-dir",
        mail_path,
        "--mail-poll-interval-ms",
        "200",
    ];
    let base = listen(startup::start(&config(&args)).await.unwrap().0).await;
    claim_once(&base, &t.db, "amina@example.cm").await;

    let deadline = Instant::now() + Duration::from_secs(30);
    let files = loop {
        let files: Vec<String> = std::fs::read_dir(mail_dir.path())
            .unwrap()
            .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
            .collect();
        if files.len() >= 2 || Instant::now() > deadline {
            break files;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(files.len(), 2);
    assert!(
        files
            .iter()
            .any(|f| f.contains("To: \"Amina\" <amina@example.cm>")
                || f.contains("To: Amina <amina@example.cm>")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.contains("<bakery@example.cm>\r\n")),
        "{files:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_the_mail_server_refuses_for_good_is_not_tried_again() {
    let t = TestDb::new(Backend::Sqlite).await;
    let port = free_port().await;
    let inbox = start_smtp(port).await;
    let smtp = format!("smtp://127.0.0.1:{port}");
    let args = [
        "--database-url",
        &t.url,
        "--smtp-url",
        &smtp,
        "--mail-poll-interval-ms",
        "200",
    ];
    let base = listen(startup::start(&config(&args)).await.unwrap().0).await;
    claim_once(&base, &t.db, "nobody@example.cm").await;

    let received = delivered(&inbox, &t.db).await;
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].to, ["bakery@example.cm"]);
    let refused = entity::outbox::Entity::find()
        .filter(entity::outbox::Column::Kind.eq(entity::codes::EmailKind::ClaimToClient))
        .one(&t.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (refused.sent_at, refused.due_at, refused.attempts),
        (None, None, 1)
    );
    assert!(
        refused
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("550")),
        "{refused:?}"
    );
}
