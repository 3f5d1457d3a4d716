//! From a [`Config`] to a running server.

use std::{net::SocketAddr, time::Duration};

use std::sync::Arc;

use app::{
    domain::{
        browse_cache::BrowseCache,
        claims::{Desk, FairShare},
        events::EventSink,
        ratelimit::FailureLimiter,
    },
    state::{AppState, Shared},
};
use leptos::prelude::{LeptosOptions, get_configuration};
use migration::{Migrator, MigratorTrait};
use tokio::{
    net::TcpListener,
    sync::{oneshot, watch},
    task::JoinHandle,
};
use tower_sessions_redis_store::{
    RedisStore,
    fred::{
        interfaces::ClientLike,
        prelude::{Builder, Config as RedisConfig, Pool as RedisPool, ReconnectPolicy},
    },
};

use crate::{
    assets,
    config::Config,
    health::Draining,
    live::{self, Hub, LocalSink},
    mailer::Mailer,
    router::router,
    sessions::{DbStore, Store},
};

pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// How often expired sessions are removed from the database.
const SESSION_CLEANUP_PERIOD: Duration = Duration::from_secs(60 * 60);

/// How long a Redis command may take, reconnection included.
const REDIS_COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// After the drain, how long a stopping replica waits for its requests in flight and the email
/// being sent (the SMTP timeout is shorter) before it exits anyway: with the 3 s drain of a
/// replica behind the load balancer, it is gone within 10 s of SIGTERM.
pub const FINISH_TIMEOUT: Duration = Duration::from_secs(6);

/// What one replica runs on: its state, the session store that goes with it and the hub of
/// its live event streams.
pub struct Replica {
    pub state: AppState,
    pub sessions: Store,
    pub live: Hub,
    pub draining: Draining,
}

/// Connects to the database (applying pending migrations) and to Redis when configured.
pub async fn build(config: &Config) -> Result<Replica, StartError> {
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
    let (sessions, limiter) = match &redis {
        Some(pool) => (
            Store::Redis(RedisStore::new(pool.clone())),
            FailureLimiter::redis(pool.clone(), config.redis_key_prefix.clone()),
        ),
        None => (
            Store::Database(DbStore::new(db.clone())),
            FailureLimiter::local(),
        ),
    };
    let browse_cache = Arc::new(BrowseCache::default());
    let live = Hub::new(browse_cache.clone());
    let events: Arc<dyn EventSink> = match &redis {
        Some(pool) => {
            let key = format!("{}events", config.redis_key_prefix);
            let stream = live::redis(pool, key, live.clone())
                .await
                .map_err(|e| format!("cannot read live events from Redis: {e}"))?;
            browse_cache.follow(stream.clone());
            stream
        }
        None => Arc::new(LocalSink(live.clone())),
    };
    let state = AppState::new(Shared {
        leptos_options: leptos_options(config)?,
        claims: Desk::new(db.clone()),
        db,
        redis,
        limiter,
        events,
        browse_cache,
        browse_cards: Default::default(),
        browse_pages: Default::default(),
        trust_proxy: config.trust_proxy,
        fair_share: FairShare {
            live: config.claims_max_live,
            per_day: config.claims_max_per_day,
        },
        claim_turns: Default::default(),
    });
    Ok(Replica {
        state,
        sessions,
        live,
        draining: Draining::default(),
    })
}

/// The router of a replica built from `config`, without its background work (the outbox
/// worker, session cleanup): what most tests need.
pub async fn app(config: &Config) -> Result<axum::Router, StartError> {
    Ok(router(build(config).await?, config))
}

/// The background work of a running replica: the outbox worker (and session cleanup), and
/// its live event streams.
pub struct Background {
    stop: watch::Sender<bool>,
    mailer: JoinHandle<()>,
    live: Hub,
    draining: Draining,
}

impl Background {
    /// Ends the open event streams, so browsers reconnect to another replica and the server
    /// can finish its requests.
    pub fn close_streams(&self) {
        self.live.close();
    }

    /// Lets the outbox worker finish the email it is sending, then stops it. Dropping a
    /// `Background` instead leaves the worker running.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.mailer.await;
    }
}

/// The router of a replica built from `config`, with its background work started.
pub async fn start(config: &Config) -> Result<(axum::Router, Background), StartError> {
    let replica = build(config).await?;
    let mailer = Mailer::new(config, replica.state.db.clone())?;
    if let Store::Database(store) = &replica.sessions {
        tokio::spawn(store.clone().delete_expired_every(SESSION_CLEANUP_PERIOD));
    }
    let (stop, stopping) = watch::channel(false);
    let mailer = tokio::spawn(mailer.run(stopping));
    let (live, draining) = (replica.live.clone(), replica.draining.clone());
    let background = Background {
        stop,
        mailer,
        live,
        draining,
    };
    Ok((router(replica, config), background))
}

fn leptos_options(config: &Config) -> Result<LeptosOptions, StartError> {
    // The output name is compiled in (see .cargo/config.toml); the rest comes from `config`.
    let mut options = get_configuration(None)?.leptos_options;
    options.site_addr = config.listen_addr();
    options.site_root = config.site_root.to_string_lossy().into_owned().into();
    // Pages link to the site's files under a path that names their content (see `assets`).
    let pkg = config.site_root.join(assets::PKG);
    let version =
        assets::version(&pkg).map_err(|e| format!("cannot read {}: {e}", pkg.display()))?;
    options.site_pkg_dir = format!("{}/{version}", assets::PKG).into();
    Ok(options)
}

/// A pool that keeps reconnecting by itself when Redis restarts (after 100 ms, then up to
/// every second).
async fn connect_redis(url: &str) -> Result<RedisPool, StartError> {
    let config = RedisConfig::from_url(url).map_err(|e| format!("REDIS_URL: {e}"))?;
    let pool = Builder::from_config(config)
        .set_policy(ReconnectPolicy::new_exponential(0, 100, 1_000, 2))
        .with_connection_config(|c| c.connection_timeout = Duration::from_secs(5))
        // While Redis is away a command fails after this instead of waiting for the
        // reconnection: a logged-in request gets its error at once, it does not hang.
        .with_performance_config(|c| c.default_command_timeout = REDIS_COMMAND_TIMEOUT)
        .build_pool(4)?;
    pool.init()
        .await
        .map_err(|e| format!("cannot connect to Redis: {e}"))?;
    Ok(pool)
}

/// Serves until SIGINT or SIGTERM, then stops as [`serve_on`] says.
pub async fn serve(config: Config) -> Result<(), StartError> {
    let addr = config.listen_addr();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    serve_on(listener, config, shutdown_signal()).await
}

/// Serves on `listener` until `stop` resolves, then: fails `/readyz` at once and keeps serving
/// for `SHUTDOWN_DRAIN_MS`, long enough for the load balancer to see it and send new requests
/// elsewhere; then ends the event streams (browsers reconnect through the load balancer, to
/// another replica), finishes the requests in flight and the email being sent, and returns.
pub async fn serve_on(
    listener: TcpListener,
    config: Config,
    stop: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let (app, background) = start(&config).await?;
    tracing::info!(
        database = backend_name(&config.database_url),
        redis = config.redis_url.is_some(),
        smtp = config.smtp_url.is_some(),
        production = config.production,
        "FoodBridge is listening on http://{}",
        listener.local_addr()?
    );
    let app = app.into_make_service_with_connect_info::<SocketAddr>();

    let (draining, streams) = (background.draining.clone(), background.live.clone());
    let drain = Duration::from_millis(config.shutdown_drain_ms);
    let (drained, drain_over) = oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        stop.await;
        tracing::info!(?drain, "shutting down: not ready any more, draining");
        draining.start();
        tokio::time::sleep(drain).await;
        tracing::info!("shutting down: closing event streams, finishing requests in flight");
        streams.close();
        let _ = drained.send(());
    });
    let mut server = std::pin::pin!(server.into_future());
    tokio::select! {
        served = &mut server => {
            // Only a failure ends serving before the drain does.
            served?;
            background.stop().await;
            return Ok(());
        }
        Ok(()) = drain_over => {}
    }
    // The requests in flight and the email being sent finish side by side; whatever is left
    // after FINISH_TIMEOUT is cut off (an email cut off mid-send is sent again by another
    // replica once its lease ends, with the same Message-ID).
    let finish = async {
        let (served, ()) = tokio::join!(&mut server, background.stop());
        served
    };
    match tokio::time::timeout(FINISH_TIMEOUT, finish).await {
        Ok(served) => served?,
        Err(_) => tracing::warn!(
            "requests still in flight {FINISH_TIMEOUT:?} after the drain: stopping without them"
        ),
    }
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
}
