use app::{
    app::{App, shell},
    state::AppState,
};

use axum::{Extension, Router, middleware, routing::get};
use leptos_axum::{LeptosRoutes, file_and_error_handler, generate_route_list};
use tower_http::{compression::CompressionLayer, limit::RequestBodyLimitLayer, trace::TraceLayer};

use crate::{
    body_limit::{self, MAX_BODY_BYTES},
    config::Config,
    health, images, language, live, malformed, sessions,
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
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();

    Router::new()
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/lang/{code}", get(language::switch))
        .route("/images/{file}", get(images::serve))
        .route("/events", get(live::stream))
        .leptos_routes(&state, routes, move || shell(options.clone()))
        .fallback(file_and_error_handler::<AppState, _>(shell))
        .layer(Extension(live))
        .layer(Extension(draining))
        .layer(sessions::layer(sessions, config))
        .layer(middleware::from_fn(malformed::refuse_non_multipart))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(body_limit::refuse_oversized))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
