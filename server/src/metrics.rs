//! `GET /metrics` in Prometheus's text format, for operators (the load balancer does not pass
//! it on: scrape each replica directly). Recorded as things happen: requests by route, method
//! and status with their latency (`http_requests_total`, `http_request_duration_seconds`),
//! claims won and lost (`foodbridge_claims_total`) and how many claims each statement of the
//! replica's claim desk made (`foodbridge_claims_per_statement`). Read at each scrape: the
//! outbox backlog and its oldest email's age, the open event streams and the database pool.

use std::{sync::OnceLock, time::Instant};

use app::{
    domain::{clock, outbox},
    state::AppState,
};
use axum::{
    Extension,
    extract::{MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::DbBackend;

use crate::live::Hub;

const REQUEST_SECONDS: &str = "http_request_duration_seconds";
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The process's recorder, installed on first use; replicas in one process (tests) share it.
fn recorder() -> &'static PrometheusHandle {
    static RECORDER: OnceLock<PrometheusHandle> = OnceLock::new();
    RECORDER.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), BUCKETS)
            .expect("the bucket list is not empty");
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Only if something else installed a recorder first: ours still renders, empty.
            Err(e) => {
                tracing::error!("cannot install the metrics recorder: {e}");
                PrometheusBuilder::new().build_recorder().handle()
            }
        }
    })
}

/// Installs the recorder before the first request is counted.
pub fn install() {
    recorder();
}

/// Counts each request and its latency, labelled with its route (the pattern it matched, or
/// the path of a server function; unmatched paths count together, so a scanner cannot grow
/// the list without end).
pub async fn track(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let route = match matched {
        Some(route) if route.contains("{*") && status != StatusCode::NOT_FOUND => path,
        Some(route) if !route.contains("{*") => route,
        _ => "unmatched".to_owned(),
    };
    let labels = [
        ("method", method),
        ("route", route),
        ("status", status.as_u16().to_string()),
    ];
    counter!("http_requests_total", &labels).increment(1);
    histogram!(REQUEST_SECONDS, &labels).record(started.elapsed().as_secs_f64());
    response
}

pub async fn render(State(state): State<AppState>, Extension(live): Extension<Hub>) -> Response {
    match outbox::backlog(&state.db, clock::now()).await {
        Ok(backlog) => {
            gauge!("foodbridge_outbox_backlog_emails").set(backlog.emails as f64);
            let age = backlog.oldest.map_or(0.0, |oldest| {
                (clock::now() - oldest).num_milliseconds().max(0) as f64 / 1000.0
            });
            gauge!("foodbridge_outbox_oldest_age_seconds").set(age);
        }
        Err(e) => tracing::warn!("metrics: cannot read the outbox: {e}"),
    }
    gauge!("foodbridge_event_streams_open").set(live.open_streams() as f64);
    let (size, idle) = match state.db.get_database_backend() {
        DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    };
    let idle = idle as f64;
    gauge!("foodbridge_db_pool_connections", "state" => "idle").set(idle);
    gauge!("foodbridge_db_pool_connections", "state" => "in_use").set(f64::from(size) - idle);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        recorder().render(),
    )
        .into_response()
}
