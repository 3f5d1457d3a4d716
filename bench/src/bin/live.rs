//! Live events under load: opens `STREAMS` event streams spread over the replicas in `BASES`,
//! claims `CLAIMS` listings through them in turn, and reports the delay from each claim's
//! response to the last stream receiving it, and the replicas' memory with the streams open.
//! Run by `bench/live.sh`, which starts the replicas.

use std::{
    collections::HashMap,
    env,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures_util::StreamExt;
use sea_orm::{ColumnTrait, Database, EntityTrait, QueryFilter};

type Seen = Arc<Mutex<HashMap<i64, Vec<Instant>>>>;

fn setting(name: &str, default: &str) -> String {
    env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main]
async fn main() {
    let bases: Vec<String> = setting("BASES", "http://127.0.0.1:3401,http://127.0.0.1:3402")
        .split(',')
        .map(str::to_owned)
        .collect();
    let streams: usize = setting("STREAMS", "1000").parse().unwrap();
    let claims: usize = setting("CLAIMS", "50").parse().unwrap();
    let pids: Vec<String> = setting("PIDS", "")
        .split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let db = Database::connect(setting("DATABASE_URL", ""))
        .await
        .expect("DATABASE_URL");
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();

    // A business with `claims` listings, and clients to claim them.
    register(&http, &bases[0], "business", "bench-bakery@example.cm").await;
    let owner = entity::user::Entity::find()
        .filter(entity::user::Column::Email.eq("bench-bakery@example.cm"))
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let mut listings = Vec::new();
    for _ in 0..claims {
        listings.push(
            testkit::plain_listing(&db, owner.id, chrono::Duration::hours(3))
                .await
                .unwrap(),
        );
    }
    let mut clients = Vec::new();
    for (i, base) in bases.iter().enumerate() {
        clients.push(
            register(
                &http,
                base,
                "client",
                &format!("bench-client{i}@example.cm"),
            )
            .await,
        );
    }

    let idle = rss(&pids);

    // The streams, spread over the replicas; each notes when it sees each claim.
    let seen: Seen = Arc::default();
    let (opened_tx, mut opened_rx) = tokio::sync::mpsc::channel(streams);
    for n in 0..streams {
        let (base, seen, opened) = (
            bases[n % bases.len()].clone(),
            seen.clone(),
            opened_tx.clone(),
        );
        tokio::spawn(async move { listen(&base, seen, opened).await });
    }
    for _ in 0..streams {
        opened_rx.recv().await.expect("every stream opens");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let open = rss(&pids);

    // Claims, one at a time, through each replica in turn.
    let mut answered = Vec::new();
    for (n, id) in listings.iter().enumerate() {
        let base = &bases[n % bases.len()];
        let response = http
            .post(format!("{base}/api/claim_listing"))
            .header("Cookie", &clients[n % clients.len()])
            .header("Accept", "application/json")
            .form(&[("listing_id", id.to_string())])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "claim: {}",
            response.status()
        );
        answered.push((*id, Instant::now()));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline
        && seen.lock().unwrap().values().map(Vec::len).sum::<usize>() < streams * claims
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let seen = seen.lock().unwrap();
    let mut delays: Vec<f64> = Vec::new();
    let mut missed = 0;
    for (id, at) in &answered {
        let times = seen.get(id).map(Vec::as_slice).unwrap_or_default();
        missed += streams - times.len();
        if let Some(last) = times.iter().max() {
            delays.push(last.saturating_duration_since(*at).as_secs_f64() * 1000.0);
        }
    }
    delays.sort_by(f64::total_cmp);
    let pick = |q: f64| delays[((delays.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "live events: {streams} streams over {} replicas, {claims} claims",
        bases.len()
    );
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| claim response -> last stream, p50 | {:.1} ms |",
        pick(0.5)
    );
    println!(
        "| claim response -> last stream, p99 | {:.1} ms |",
        pick(0.99)
    );
    println!(
        "| claim response -> last stream, max | {:.1} ms |",
        pick(1.0)
    );
    println!("| deliveries missed | {missed} of {} |", streams * claims);
    for (pid, (idle, open)) in pids.iter().zip(idle.iter().zip(&open)) {
        let per_stream = (open - idle) as f64 * 1024.0 / (streams as f64 / pids.len() as f64);
        println!(
            "| replica {pid} RSS idle / {} streams open | {:.1} MB / {:.1} MB ({:.1} KB per stream) |",
            streams / pids.len(),
            *idle as f64 / 1024.0,
            *open as f64 / 1024.0,
            per_stream / 1024.0
        );
    }
}

/// Registers an account and returns its session cookie.
async fn register(http: &reqwest::Client, base: &str, role: &str, email: &str) -> String {
    let response = http
        .post(format!("{base}/api/register"))
        .header("Accept", "application/json")
        .form(&[
            ("role", role),
            ("display_name", "Bench"),
            ("pickup_location", "Rue 1, Douala"),
            ("email", email),
            ("phone", "677123456"),
            ("password", "mangue-plantain-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "register: {}",
        response.status()
    );
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

/// One stream: notes when each claimed listing is seen.
async fn listen(base: &str, seen: Seen, opened: tokio::sync::mpsc::Sender<()>) {
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{base}/events"))
        .send()
        .await
        .expect("stream");
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    let mut told = false;
    while let Some(Ok(chunk)) = body.next().await {
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        if !told {
            let _ = opened.send(()).await;
            told = true;
        }
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let Some(data) = block.lines().find_map(|l| l.strip_prefix("data:")) else {
                continue;
            };
            if let Ok(event) = serde_json::from_str::<serde_json::Value>(data.trim())
                && event["state"] == "claimed"
                && let Some(id) = event["listing"].as_i64()
            {
                seen.lock()
                    .unwrap()
                    .entry(id)
                    .or_default()
                    .push(Instant::now());
            }
        }
    }
}

/// Resident memory of each process, in KB.
fn rss(pids: &[String]) -> Vec<u64> {
    pids.iter()
        .map(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/status"))
                .ok()
                .and_then(|s| {
                    s.lines()
                        .find(|l| l.starts_with("VmRSS:"))
                        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
                })
                .unwrap_or(0)
        })
        .collect()
}
