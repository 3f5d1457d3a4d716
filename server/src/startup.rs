//! From a [`Config`] to a running server.

use std::time::Duration;

use app::state::AppState;
use leptos::prelude::{LeptosOptions, get_configuration};
use migration::{Migrator, MigratorTrait};
use tokio::net::TcpListener;
use tower_sessions_redis_store::fred::{
    interfaces::ClientLike,
    prelude::{Builder, Config as RedisConfig, Pool as RedisPool, ReconnectPolicy},
};

use crate::{config::Config, router::router};

pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// Connects to the database (applying pending migrations) and to Redis when configured.
pub async fn build_state(config: &Config) -> Result<AppState, StartError> {
    let db = migration::open(&config.database_url, config.database_max_connections)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    Migrator::up(&db, None)
        .await
        .map_err(|e| format!("migrations failed: {e}"))?;

    let redis = match &config.redis_url {
        Some(url) => Some(connect_redis(url).await?),
        None => None,
    };

    Ok(AppState {
        leptos_options: leptos_options(config)?,
        db,
        redis,
    })
}

/// The name cargo-leptos gives the site's JS, WASM and CSS (`name` in the workspace metadata).
const OUTPUT_NAME: &str = "foodbridge";

fn leptos_options(config: &Config) -> Result<LeptosOptions, StartError> {
    let mut options = get_configuration(None)?.leptos_options;
    // cargo-leptos bakes the name in at compile time; `cargo test` builds do not have it.
    if options.output_name.is_empty() {
        options.output_name = OUTPUT_NAME.into();
    }
    options.site_addr = config.listen_addr();
    options.site_root = config.site_root.to_string_lossy().into_owned().into();
    Ok(options)
}

/// A pool that keeps reconnecting by itself when Redis restarts.
async fn connect_redis(url: &str) -> Result<RedisPool, StartError> {
    let config = RedisConfig::from_url(url).map_err(|e| format!("REDIS_URL: {e}"))?;
    let pool = Builder::from_config(config)
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
        .with_connection_config(|c| c.connection_timeout = Duration::from_secs(5))
        .build_pool(4)?;
    pool.init()
        .await
        .map_err(|e| format!("cannot connect to Redis: {e}"))?;
    Ok(pool)
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let state = build_state(&config).await?;
    let addr = config.listen_addr();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!(
        database = backend_name(&config.database_url),
        redis = config.redis_url.is_some(),
        smtp = config.smtp_url.is_some(),
        production = config.production,
        "FoodBridge is listening on http://{addr}"
    );
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("FoodBridge stopped");
    Ok(())
}

fn backend_name(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!("cannot listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
