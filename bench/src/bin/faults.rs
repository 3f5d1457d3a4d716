//! The fault test. Keeps a steady mixed load going through the load balancer of a cluster
//! started by `scripts/cluster.sh` (clients that registered once and keep their cookie browse,
//! check who they are, claim listings, some of them contested, and now and then log in again),
//! and meanwhile injects each fault in turn with `scripts/cluster.sh`:
//! 1. SIGKILL a replica, then start it again;
//! 2. restart every replica in turn with SIGTERM (rolling restart);
//! 3. restart Redis;
//! 4. restart PostgreSQL;
//! 5. stop the primary and promote the standby;
//! 6. (with `CRASH=1`, the long form) make the old primary a standby again, then crash the
//!    primary (SIGKILL) and promote: what asynchronous replication lost, if anything, shows as
//!    acknowledged claims lost.
//!
//! After each phase the load pauses while the database is compared with what clients were told,
//! and the outbox with what reached the SMTP catcher; one table of figures per phase is printed,
//! and the process fails when a target of the README's "Running as a cluster" is missed.
//! Run by `scripts/faults.sh`, which starts and removes the cluster.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    env,
    path::{Path, PathBuf},
    process::ExitCode,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use entity::codes::EmailKind;
use sea_orm::{ColumnTrait, Database, DatabaseConnection, EntityTrait, QueryFilter};

fn setting(name: &str, default: &str) -> String {
    env::var(name).unwrap_or_else(|_| default.to_owned())
}

const PASSWORD: &str = "mangue-plantain-2026";

/// What one phase's requests came to.
#[derive(Default)]
struct Tally {
    sent: u64,
    failed: u64,
    sessions_lost: u64,
    claims_acked: u64,
    /// Seconds from the phase's start to its last failed request.
    last_failure: Option<f64>,
    reasons: BTreeMap<String, u64>,
}

/// Everything the clients share with the conductor.
struct Load {
    base: String,
    listings: Vec<i64>,
    next_listing: AtomicUsize,
    /// The listing most recently tried, which other clients try too now and then.
    contested: AtomicI64,
    phase: AtomicUsize,
    phase_start: Mutex<Instant>,
    tallies: Mutex<Vec<Tally>>,
    /// Claims the clients were told they won: listing -> client's user id.
    acked: Mutex<HashMap<i64, i64>>,
    /// Listings two clients were each told they won.
    acked_twice: AtomicUsize,
    paused: AtomicBool,
    in_flight: AtomicUsize,
    stop: AtomicBool,
}

impl Load {
    fn record(&self, phase: usize, outcome: Outcome) {
        let mut tallies = self.tallies.lock().unwrap();
        let tally = &mut tallies[phase];
        tally.sent += 1;
        match outcome {
            Outcome::Ok => {}
            Outcome::Acked => tally.claims_acked += 1,
            Outcome::SessionLost => tally.sessions_lost += 1,
            Outcome::Failed(reason) => {
                tally.failed += 1;
                tally.last_failure = Some(self.phase_start.lock().unwrap().elapsed().as_secs_f64());
                *tally.reasons.entry(reason).or_default() += 1;
            }
        }
    }
}

enum Outcome {
    Ok,
    Acked,
    SessionLost,
    Failed(String),
}

struct Client {
    email: String,
    user_id: i64,
    cookie: String,
}

#[tokio::main]
async fn main() -> ExitCode {
    let base = setting("BASE", "http://127.0.0.1:8080");
    let database_url = setting("DATABASE_URL", "");
    let mail_dir = PathBuf::from(setting("MAIL_DIR", ""));
    let cluster = setting("CLUSTER", "scripts/cluster.sh");
    let clients: usize = setting("CLIENTS", "8").parse().expect("CLIENTS");
    let settle = Duration::from_secs(setting("SETTLE_SECS", "8").parse().expect("SETTLE_SECS"));
    let listing_count: usize = setting("LISTINGS", "3000").parse().expect("LISTINGS");
    let pace = Duration::from_millis(setting("PACE_MS", "100").parse().expect("PACE_MS"));
    // The crash of the primary (phase 6) is in the long form only.
    let crash = setting("CRASH", "0") == "1";

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .connect_timeout(Duration::from_secs(3))
        .build()
        .unwrap();
    let db = connect(&database_url).await;

    // A business with the listings, and the clients, each logged in once.
    register(&http, &base, "business", "faults-bakery@example.cm").await;
    let owner = user_id(&db, "faults-bakery@example.cm").await;
    let mut listings = Vec::with_capacity(listing_count);
    for _ in 0..listing_count {
        listings.push(
            testkit::plain_listing(&db, owner, chrono::Duration::hours(6))
                .await
                .expect("a listing"),
        );
    }
    let mut people = Vec::new();
    for n in 0..clients {
        let email = format!("faults-client{n}@example.cm");
        let cookie = register(&http, &base, "client", &email).await;
        people.push(Client {
            user_id: user_id(&db, &email).await,
            email,
            cookie,
        });
    }
    println!(
        "fault test: {clients} clients through {base}, one request each every {} ms, {settle:?} of steady load after each fault",
        pace.as_millis()
    );

    let mut phases: Vec<(&str, Vec<Vec<&str>>)> = vec![
        ("0. steady load, no fault", vec![]),
        (
            "1. SIGKILL web1, start it again",
            vec![vec!["kill", "web1"], vec!["sleep"], vec!["start", "web1"]],
        ),
        (
            "2. rolling restart, SIGTERM",
            vec![
                vec!["stop", "web1"],
                vec!["start", "web1"],
                vec!["stop", "web2"],
                vec!["start", "web2"],
                vec!["stop", "web3"],
                vec!["start", "web3"],
            ],
        ),
        ("3. restart Redis", vec![vec!["restart", "redis"]]),
        ("4. restart PostgreSQL", vec![vec!["restart", "primary"]]),
        (
            "5. stop the primary, promote the standby",
            vec![vec!["promote"]],
        ),
    ];
    if crash {
        phases.push((
            "6. old primary made a standby; crash the primary, promote",
            vec![vec!["rebuild", "standby"], vec!["promote", "--crash"]],
        ));
    }

    let load = Arc::new(Load {
        base: base.clone(),
        listings,
        next_listing: AtomicUsize::new(0),
        contested: AtomicI64::new(0),
        phase: AtomicUsize::new(0),
        phase_start: Mutex::new(Instant::now()),
        tallies: Mutex::new(phases.iter().map(|_| Tally::default()).collect()),
        acked: Mutex::default(),
        acked_twice: AtomicUsize::new(0),
        paused: AtomicBool::new(false),
        in_flight: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
    });
    let mut workers = Vec::new();
    for (n, client) in people.into_iter().enumerate() {
        let (load, http) = (load.clone(), http.clone());
        workers.push(tokio::spawn(async move {
            run_client(n, client, load, http, pace).await
        }));
    }

    let mut rows = Vec::new();
    let mut missed = Vec::new();
    let mut claims_before = 0;
    for (index, (name, steps)) in phases.iter().enumerate() {
        *load.phase_start.lock().unwrap() = Instant::now();
        load.phase.store(index, Ordering::SeqCst);
        let started = Instant::now();
        // How long the slowest replica took to exit after SIGTERM.
        let mut slowest_exit: Option<f64> = None;
        for step in steps {
            if step[0] == "sleep" {
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            let began = Instant::now();
            let status = tokio::process::Command::new(&cluster)
                .args(step)
                .status()
                .await
                .expect("scripts/cluster.sh");
            assert!(status.success(), "cluster.sh {step:?} failed");
            if step[0] == "stop" {
                let took = began.elapsed().as_secs_f64();
                slowest_exit = Some(slowest_exit.map_or(took, |s: f64| s.max(took)));
            }
        }
        let fault_took = started.elapsed().as_secs_f64();
        tokio::time::sleep(settle).await;

        // Pause the clients and let their requests finish, then compare.
        load.paused.store(true, Ordering::SeqCst);
        while load.in_flight.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let check = check(&database_url, &load, &mail_dir).await;
        let tallies = load.tallies.lock().unwrap();
        let tally = &tallies[index];
        let recovered = tally.last_failure.unwrap_or(0.0);
        let still_failing = tally
            .last_failure
            .is_some_and(|at| at > fault_took + settle.as_secs_f64() - 1.0);
        println!(
            "\n{name}: fault injected in {fault_took:.1} s{}{}",
            slowest_exit.map_or(String::new(), |s| format!(
                "; slowest replica exit after SIGTERM {s:.1} s"
            )),
            if tally.reasons.is_empty() {
                String::new()
            } else {
                format!(
                    "; failures: {}",
                    tally
                        .reasons
                        .iter()
                        .map(|(why, n)| format!("{n} x {why}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        );
        rows.push(format!(
            "| {name} | {} | {} | {} | {} | {} / {} | {} | {} | {} / {} ({} pending) | {} |",
            tally.sent,
            tally.failed,
            if still_failing {
                "still failing".to_owned()
            } else {
                format!("{recovered:.1} s")
            },
            tally.sessions_lost,
            tally.claims_acked,
            check.claim_rows - claims_before,
            check.lost_acked,
            check.double_claims,
            check.emails_queued,
            check.emails_delivered,
            check.emails_pending,
            check.duplicate_emails,
        ));
        claims_before = check.claim_rows;

        // The targets (README, "Running as a cluster").
        let mut miss = |what: String| missed.push(format!("{name}: {what}"));
        if check.double_claims > 0 {
            miss(format!("{} listings claimed twice", check.double_claims));
        }
        if check.duplicate_emails > 0 {
            miss(format!("{} emails delivered twice", check.duplicate_emails));
        }
        if check.emails_pending > 0 {
            miss(format!("{} emails not delivered", check.emails_pending));
        }
        if still_failing {
            miss("requests still failing at the end of the phase".to_owned());
        }
        if index <= 4 {
            if tally.sessions_lost > 0 {
                miss(format!(
                    "{} requests found their session gone",
                    tally.sessions_lost
                ));
            }
            if check.lost_acked > 0 {
                miss(format!("{} acknowledged claims lost", check.lost_acked));
            }
        }
        if let Some(exit) = slowest_exit.filter(|s| *s > 10.0) {
            miss(format!("a replica took {exit:.1} s to exit after SIGTERM"));
        }
        match index {
            0 | 2 if tally.failed > 0 => miss(format!("{} failed requests", tally.failed)),
            1 if tally.failed > clients as u64 => miss(format!(
                "{} failed requests, more than the {clients} that can be in flight",
                tally.failed
            )),
            3 | 4 if recovered > 5.0 => miss(format!("recovered after {recovered:.1} s")),
            5 | 6 if recovered > 15.0 => miss(format!("recovered after {recovered:.1} s")),
            _ => {}
        }
        drop(tallies);
        load.paused.store(false, Ordering::SeqCst);
    }
    load.stop.store(true, Ordering::SeqCst);
    for worker in workers {
        let _ = worker.await;
    }

    println!(
        "\n| phase | requests | failed | last failure after | sessions lost | claims acknowledged / rows | acknowledged claims lost | double claims | emails queued / delivered | duplicate emails |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    if missed.is_empty() {
        println!("\nevery target met");
        ExitCode::SUCCESS
    } else {
        println!("\ntargets missed:");
        for m in &missed {
            println!("  - {m}");
        }
        ExitCode::FAILURE
    }
}

/// One client: a request every `pace`, until told to stop.
async fn run_client(
    n: usize,
    mut client: Client,
    load: Arc<Load>,
    http: reqwest::Client,
    pace: Duration,
) {
    let mut turn = n;
    while !load.stop.load(Ordering::SeqCst) {
        if load.paused.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        }
        load.in_flight.fetch_add(1, Ordering::SeqCst);
        if load.paused.load(Ordering::SeqCst) {
            load.in_flight.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let phase = load.phase.load(Ordering::SeqCst);
        let began = Instant::now();
        turn += 1;
        let outcome = match turn % 20 {
            0 => log_in(&http, &load.base, &mut client).await,
            1 | 6 | 11 | 16 => who_am_i(&http, &load.base, &client).await,
            2 | 5 | 8 | 12 | 15 => claim(&http, &load, &client).await,
            _ => browse(&http, &load.base, &client).await,
        };
        if matches!(outcome, Outcome::SessionLost) {
            // Carry on as the user would: log in again.
            let _ = log_in(&http, &load.base, &mut client).await;
        }
        load.record(phase, outcome);
        load.in_flight.fetch_sub(1, Ordering::SeqCst);
        tokio::time::sleep(pace.saturating_sub(began.elapsed())).await;
    }
}

fn failed(e: reqwest::Error) -> Outcome {
    Outcome::Failed(if e.is_timeout() {
        "timeout".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "connection lost".to_owned()
    })
}

fn status_failure(status: reqwest::StatusCode) -> Outcome {
    Outcome::Failed(format!("HTTP {}", status.as_u16()))
}

async fn browse(http: &reqwest::Client, base: &str, client: &Client) -> Outcome {
    match http
        .get(format!("{base}/browse"))
        .header("Cookie", &client.cookie)
        .send()
        .await
    {
        Ok(response) if response.status().is_success() => match response.text().await {
            Ok(_) => Outcome::Ok,
            Err(e) => failed(e),
        },
        Ok(response) => status_failure(response.status()),
        Err(e) => failed(e),
    }
}

async fn api(
    http: &reqwest::Client,
    base: &str,
    endpoint: &str,
    cookie: Option<&str>,
    form: &[(&str, &str)],
) -> Result<(reqwest::StatusCode, Option<String>, String), reqwest::Error> {
    let mut request = http
        .post(format!("{base}/api/{endpoint}"))
        .header("Accept", "application/json")
        .form(form);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let response = request.send().await?;
    let status = response.status();
    let cookie = response
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .map(str::to_owned);
    Ok((status, cookie, response.text().await?))
}

/// Asks who is logged in: the answer must be this client.
async fn who_am_i(http: &reqwest::Client, base: &str, client: &Client) -> Outcome {
    match api(http, base, "current_user", Some(&client.cookie), &[]).await {
        Ok((status, _, body)) if status.is_success() => {
            if body.contains(&client.email) {
                Outcome::Ok
            } else {
                Outcome::SessionLost
            }
        }
        Ok((status, _, _)) => status_failure(status),
        Err(e) => failed(e),
    }
}

async fn log_in(http: &reqwest::Client, base: &str, client: &mut Client) -> Outcome {
    let form = [("email", client.email.as_str()), ("password", PASSWORD)];
    match api(http, base, "login", None, &form).await {
        Ok((status, Some(cookie), _)) if status.is_success() => {
            client.cookie = cookie;
            Outcome::Ok
        }
        Ok((status, _, _)) => status_failure(status),
        Err(e) => failed(e),
    }
}

/// Claims the next listing or, one time in three, the one another client just tried.
async fn claim(http: &reqwest::Client, load: &Load, client: &Client) -> Outcome {
    let contested = load.contested.load(Ordering::SeqCst);
    let next = load.next_listing.fetch_add(1, Ordering::SeqCst);
    let listing = if contested != 0 && next.is_multiple_of(3) {
        contested
    } else {
        load.listings[next % load.listings.len()]
    };
    load.contested.store(listing, Ordering::SeqCst);
    let id = listing.to_string();
    match api(
        http,
        &load.base,
        "claim_listing",
        Some(&client.cookie),
        &[("listing_id", &id)],
    )
    .await
    {
        Ok((status, _, _)) if status.is_success() => {
            // The same client claiming again is answered with its own claim (a repeated tap):
            // not a new claim. Only two different clients told they hold one listing is a
            // double claim.
            match load.acked.lock().unwrap().insert(listing, client.user_id) {
                Some(holder) if holder == client.user_id => Outcome::Ok,
                Some(_) => {
                    load.acked_twice.fetch_add(1, Ordering::SeqCst);
                    Outcome::Acked
                }
                None => Outcome::Acked,
            }
        }
        Ok((reqwest::StatusCode::CONFLICT, _, _)) => Outcome::Ok,
        Ok((reqwest::StatusCode::UNAUTHORIZED, _, _)) => Outcome::SessionLost,
        Ok((status, _, _)) => status_failure(status),
        Err(e) => failed(e),
    }
}

/// The database and the SMTP catcher compared with what clients were told.
struct Check {
    claim_rows: usize,
    lost_acked: usize,
    double_claims: usize,
    emails_queued: usize,
    emails_delivered: usize,
    emails_pending: usize,
    duplicate_emails: usize,
}

async fn check(database_url: &str, load: &Load, mail_dir: &Path) -> Check {
    // A fresh connection each time: the primary may have moved.
    let db = connect(database_url).await;
    let claims = retry(|| entity::claim::Entity::find().all(&db)).await;
    let mut per_listing: HashMap<i64, HashSet<i64>> = HashMap::new();
    let mut rows_per_listing: HashMap<i64, usize> = HashMap::new();
    for claim in &claims {
        per_listing
            .entry(claim.listing_id)
            .or_default()
            .insert(claim.client_id);
        *rows_per_listing.entry(claim.listing_id).or_default() += 1;
    }
    let lost_acked = load
        .acked
        .lock()
        .unwrap()
        .iter()
        .filter(|(listing, client)| {
            !per_listing
                .get(listing)
                .is_some_and(|clients| clients.contains(client))
        })
        .count();
    let double_claims = rows_per_listing.values().filter(|n| **n > 1).count()
        + load.acked_twice.load(Ordering::SeqCst);

    // Every email sent (or abandoned), or 75 s gone by: an email whose worker lost the
    // database mid-send waits for its lease (60 s) to run out.
    let deadline = Instant::now() + Duration::from_secs(75);
    // The emails a claim sends at once (its reminder and follow-up are due hours later).
    let (queued, pending) = loop {
        let outbox: Vec<_> = retry(|| entity::outbox::Entity::find().all(&db))
            .await
            .into_iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EmailKind::ClaimToClient | EmailKind::ClaimToBusiness
                )
            })
            .collect();
        let pending = outbox.iter().filter(|e| e.due_at.is_some()).count();
        if pending == 0 || Instant::now() > deadline {
            break (outbox.len(), pending);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let (delivered, duplicates) = delivered(mail_dir);
    let _ = db.close().await;
    Check {
        claim_rows: claims.len(),
        lost_acked,
        double_claims,
        emails_queued: queued,
        emails_delivered: delivered,
        emails_pending: pending,
        duplicate_emails: duplicates,
    }
}

/// Distinct emails in the catcher's folder (by Message-ID), and copies beyond the first.
fn delivered(dir: &Path) -> (usize, usize) {
    let mut ids = HashSet::new();
    let mut files = 0;
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        files += 1;
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap_or_default()
            .to_owned();
        ids.insert(id);
    }
    (ids.len(), files - ids.len())
}

async fn connect(url: &str) -> DatabaseConnection {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match Database::connect(url).await {
            Ok(db) => return db,
            Err(e) if Instant::now() > deadline => panic!("cannot reach the database: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

/// Runs a query until it succeeds (the database may be coming back), for up to a minute.
async fn retry<T, F: Future<Output = Result<T, sea_orm::DbErr>>>(
    mut query: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        match query().await {
            Ok(value) => return value,
            Err(e) if Instant::now() > deadline => panic!("the database does not answer: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

async fn user_id(db: &DatabaseConnection, email: &str) -> i64 {
    entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq(email))
        .one(db)
        .await
        .expect("the users table")
        .expect("the account just registered")
        .id
}

/// Registers an account through the load balancer and returns its session cookie.
async fn register(http: &reqwest::Client, base: &str, role: &str, email: &str) -> String {
    let form = [
        ("role", role),
        ("display_name", "Faults"),
        ("pickup_location", "Rue 1, Douala"),
        ("email", email),
        ("phone", "677123456"),
        ("password", PASSWORD),
    ];
    let (status, cookie, body) = api(http, base, "register", None, &form)
        .await
        .expect("register");
    assert!(status.is_success(), "register {email}: {status} {body}");
    cookie.expect("a session cookie")
}
