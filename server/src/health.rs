//! Liveness and readiness, for load balancers and orchestrators.

use std::time::Duration;

use app::state::AppState;
use axum::{extract::State, http::StatusCode};
use tokio::time::timeout;
use tower_sessions_redis_store::fred::interfaces::ClientLike;

/// How long a dependency may take to answer before it counts as down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// The process is up and serving HTTP.
pub async fn alive() -> &'static str {
    "ok"
}

/// The replica can do its work: the database answers and, when configured, Redis does too.
/// 503 with the reasons otherwise, so a load balancer takes the replica out of rotation.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, String) {
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
