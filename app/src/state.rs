//! Everything a server function may reach, passed as Leptos context (never global).

use axum::extract::FromRef;
use leptos::prelude::{LeptosOptions, use_context};
use sea_orm::DatabaseConnection;
use tower_sessions_redis_store::fred::clients::Pool as RedisPool;

use std::sync::Arc;

use crate::{
    domain::{
        browse_cache::BrowseCache,
        claims::{Desk, FairShare},
        events::EventSink,
        ratelimit::FailureLimiter,
        turns::Turns,
    },
    dto::ListingCard,
    error::AppError,
    i18n::Locale,
    pages::listings::BrowseParams,
    rendered::{Pages, Rendered},
};

/// The state, behind one reference count: axum and Leptos clone it for every request (a
/// server function's context, each middleware's `State`).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What the replica shares with every request (see [`AppState`]).
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// Present when `REDIS_URL` is set: the store shared by every replica.
    pub redis: Option<RedisPool>,
    pub limiter: FailureLimiter,
    /// Where the domain reports what happened (listing posted, claimed, withdrawn).
    pub events: Arc<dyn EventSink>,
    /// Browse pages already read, out of date with every listing event.
    pub browse_cache: Arc<BrowseCache>,
    /// The browse pages' cards as HTML, per language and address, while their data is the
    /// same (so as true as `browse_cache`).
    pub browse_cards: Arc<Rendered<(Locale, BrowseParams), Vec<ListingCard>>>,
    /// Whole browse pages, served to every viewer with their own header while their listings
    /// are what the browse cache reads (the server's `page_cache`).
    pub browse_pages: Arc<Pages>,
    /// How many claims a client may hold at once and make a day.
    pub fair_share: FairShare,
    /// A client's claims, one at a time on this replica (see `domain::turns`).
    pub claim_turns: Arc<Turns>,
    /// Where this replica's claims are made: together, when many come at once.
    pub claims: Desk,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy that sets it).
    pub trust_proxy: bool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// The state, as provided by `leptos_routes` to every server function and SSR render.
pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}
