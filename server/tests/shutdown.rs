//! Stopping a replica behind a load balancer: not ready first, still serving while it drains,
//! then its event streams end and it returns.

mod common;

use std::time::{Duration, Instant};

use common::config;
use futures_util::StreamExt;
use reqwest::StatusCode;
use server::startup;
use testkit::{Backend, TestDb};
use tokio::{
    io::AsyncWriteExt,
    net::{TcpListener, TcpStream},
    sync::oneshot,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_replica_says_it_is_not_ready_drains_then_ends_its_streams_and_returns() {
    let t = TestDb::new(Backend::Sqlite).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let drain = Duration::from_millis(1_500);
    let config = config(&[
        "--database-url",
        &t.url,
        "--shutdown-drain-ms",
        &drain.as_millis().to_string(),
    ]);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(startup::serve_on(listener, config, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let status = |path: &'static str| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            http.get(format!("{base}{path}"))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    for _ in 0..100 {
        if http.get(format!("{base}/readyz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status("/readyz").await, StatusCode::OK);
    let mut stream = http
        .get(format!("{base}/events"))
        .send()
        .await
        .unwrap()
        .bytes_stream();
    stream.next().await.unwrap().unwrap(); // the stream's opening

    stop.send(()).unwrap();
    let asked = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Out of rotation, but still serving what the load balancer sends before it notices.
    let ready = http.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.text().await.unwrap(), "shutting down");
    assert_eq!(status("/browse").await, StatusCode::OK);

    // The stream ends after the drain (comments aside), so the browser reconnects elsewhere.
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("the stream ends")
    {
        chunk.unwrap();
    }
    assert!(
        asked.elapsed() >= drain,
        "ended after {:?}",
        asked.elapsed()
    );
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the replica returns")
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_never_finishes_does_not_keep_a_stopping_replica_alive() {
    let t = TestDb::new(Backend::Sqlite).await;
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = config(&["--database-url", &t.url]);
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(startup::serve_on(listener, config, async {
        let _ = stopped.await;
    }));
    let mut stalled = None;
    for _ in 0..100 {
        if let Ok(stream) = TcpStream::connect(addr).await {
            stalled = Some(stream);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A client on a dead connection: it announces a body and never sends it.
    let mut stalled = stalled.expect("the replica listens");
    stalled
        .write_all(
            b"POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=",
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    stop.send(()).unwrap();
    let asked = Instant::now();
    tokio::time::timeout(startup::FINISH_TIMEOUT + Duration::from_secs(3), server)
        .await
        .expect("the replica returns although the request is still in flight")
        .unwrap()
        .unwrap();
    assert!(
        asked.elapsed() >= startup::FINISH_TIMEOUT,
        "it waited for the request in flight first (returned after {:?})",
        asked.elapsed()
    );
}
