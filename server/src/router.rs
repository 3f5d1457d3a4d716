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
use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
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
    health, images, language, live, malformed, metrics, sessions,
    startup::Replica,
};

/// The whole HTTP surface of one replica. Tests build it around their own state.
pub fn router(replica: Replica, config: &Config) -> Router {
    let Replica {
        state,
        sessions,
        live,
        draining,
    } = replica;
    metrics::install();
    let routes = generate_route_list(App);
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
        .layer(Extension(live))
        .layer(Extension(draining))
        .layer(sessions::layer(sessions, config))
        .layer(middleware::from_fn(run_to_completion))
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

/// Runs a request, its session's save included, to its end even when nobody waits for it any
/// more. The server drops the future of a request whose client went away, wherever it was: if
/// that was while waiting for the answer to a `BEGIN`, sqlx gave the pooled connection back
/// inside a transaction it did not know of (its `begin` rolls back only from depth 1), and what
/// ran next on that connection was never committed and kept its locks
/// (`server/tests/claims.rs`). A phone that loses its signal mid-claim is common here.
async fn run_to_completion(request: Request, next: Next) -> Response {
    match tokio::spawn(next.run(request).in_current_span()).await {
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
