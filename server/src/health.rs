//! Liveness and readiness, for load balancers and orchestrators.

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use app::state::AppState;
use axum::{Extension, extract::State, http::StatusCode};
use tokio::time::timeout;
use tower_sessions_redis_store::fred::interfaces::ClientLike;

/// How long a dependency may take to answer before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Set once the replica has been told to stop: it still serves, but says it is not ready, so
/// the load balancer sends new requests elsewhere before it goes.
#[derive(Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    fn started(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The process is up and serving HTTP.
pub async fn alive() -> &'static str {
    "ok"
}

/// The replica can do its work: it is not shutting down, the database answers and, when
/// configured, Redis does too. 503 with the reasons otherwise, so a load balancer takes the
/// replica out of rotation.
pub async fn ready(
    State(state): State<AppState>,
    Extension(draining): Extension<Draining>,
) -> (StatusCode, String) {
    if draining.started() {
        return (StatusCode::SERVICE_UNAVAILABLE, "shutting down".to_owned());
    }
    let mut problems = Vec::new();

    match timeout(CHECK_TIMEOUT, state.db.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database check failed");
            problems.push("database unreachable");
        }
        Err(_) => problems.push("database timed out"),
    }

    if let Some(redis) = &state.redis {
        match timeout(CHECK_TIMEOUT, redis.ping::<String>(None)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: Redis check failed");
                problems.push("redis unreachable");
            }
            Err(_) => problems.push("redis timed out"),
        }
    }

    if problems.is_empty() {
        (StatusCode::OK, "ready".to_owned())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, problems.join("\n"))
    }
}
