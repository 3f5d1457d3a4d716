use std::sync::LazyLock;

use app::{
    app::{App, shell},
    state::AppState,
};

use axum::{
    Extension, Router,
    extract::Request,
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::prelude::Owner;
use leptos::reactive::computed::ScopedFuture;
use leptos_axum::{AxumRouteListing, LeptosRoutes, file_and_error_handler, generate_route_list};
use tower_http::{
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tracing::Instrument;

use crate::{
    assets,
    body_limit::{self, MAX_BODY_BYTES},
    config::Config,
    health, images, language, live, malformed, metrics, page_cache, sessions,
    startup::Replica,
};

/// The app's routes, listed once a process. Listing them runs the whole app with resource
/// loading suppressed for the whole process (leptos_server's `SuppressResourceLoad`, one global
/// flag): a page's resource first polled meanwhile, by a router built before, never loads and
/// its render hangs (leptos#4773). The router tests build routers while others serve.
static ROUTES: LazyLock<Vec<AxumRouteListing>> = LazyLock::new(|| generate_route_list(App));

/// The whole HTTP surface of one replica. Tests build it around their own state.
pub fn router(replica: Replica, config: &Config) -> Router {
    let Replica {
        state,
        sessions,
        live,
        draining,
    } = replica;
    metrics::install();
    let routes = ROUTES.clone();
    let options = state.leptos_options.clone();

    Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/metrics", get(metrics::render))
        .route("/lang/{code}", get(language::switch))
        .route("/images/{file}", get(images::serve))
        .route("/events", get(live::stream))
        .merge(assets::routes(
            &config.site_root.join(assets::PKG),
            &state.leptos_options.site_pkg_dir,
        ))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::browse,
        ))
        .layer(Extension(live))
        .layer(Extension(draining))
        .layer(sessions::layer(sessions, config))
        .layer(middleware::from_fn(run_isolated))
        .layer(middleware::from_fn(malformed::refuse_non_multipart))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(body_limit::refuse_oversized))
        .layer(middleware::map_response(assets::pages_not_kept))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn(metrics::track))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        // Outermost: every request has an id (the load balancer's, or a new one) before
        // anything logs, and every answer carries it back.
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Runs a request, its session's save included, in a task of its own and from a reactive owner
/// of its own.
///
/// To its end even when nobody waits for it any more: the server drops the future of a request
/// whose client went away, wherever it was. If that was while waiting for the answer to a
/// `BEGIN`, sqlx gave the pooled connection back inside a transaction it did not know of (its
/// `begin` rolls back only from depth 1), and what ran next on that connection was never
/// committed and kept its locks (`server/tests/claims.rs`). A phone that loses its signal
/// mid-claim is common here.
///
/// From an owner of its own: leptos_axum's handlers make theirs with `Owner::new()`, whose
/// parent is whatever owner the worker thread last had current, often another request's. A
/// static file then went out with that request's response options: `/sw.js` carried another
/// user's `Set-Cookie: i18n_pref_locale=fr`, and a user who never chose French got French pages
/// from then on (`server/tests/router.rs`).
async fn run_isolated(request: Request, next: Next) -> Response {
    let own = Owner::new_root(None);
    let run = own.with(|| ScopedFuture::new(next.run(request)));
    match tokio::spawn(run.in_current_span()).await {
        Ok(response) => response,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// The span every log line of a request is written in: its id, method and path.
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}
