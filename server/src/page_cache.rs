//! Browse pages through the page cache ([`app::rendered::Pages`]): rendered once, then sent to
//! every viewer with their own header while the listings they show are the ones a new render
//! would read.
//!
//! After each listing event every browser watching the browse page fetches it again at once;
//! rendering it was ~80% of its time on the server (Leptos: ~1.3 million instructions a page).

use app::{
    auth::{self, Viewer},
    domain,
    limits::PAGE_SIZE,
    rendered::{BrowseSource, PageKey},
    state::AppState,
};
use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use chrono::Utc;
use tower_sessions::Session;

/// The page's path.
const BROWSE: &str = "/browse";
/// Far above a page of 20 cards (~16 KB); a body larger than this is not kept.
const MAX_PAGE_BYTES: usize = 4 << 20;
/// Says whether a page came from the cache (`hit`) or was rendered (`miss`).
const X_CACHE: HeaderName = HeaderName::from_static("x-cache");

pub async fn browse(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if request.method() != Method::GET || request.uri().path() != BROWSE {
        return next.run(request).await;
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    // Who the header shows; a session from before accounts were kept in it is rendered.
    let viewer = match auth::viewer_in(&session).await {
        Ok(Viewer::Nobody) => None,
        Ok(Viewer::Account(account)) => Some(account),
        Ok(Viewer::Unread(_)) | Err(_) => return next.run(request).await,
    };
    let key = PageKey::new(request.uri(), request.headers());
    if let Some(page) = cached(&state, &key, &viewer).await {
        metrics::counter!("foodbridge_page_cache_total", "result" => "hit").increment(1);
        return page;
    }
    metrics::counter!("foodbridge_page_cache_total", "result" => "miss").increment(1);

    let source = BrowseSource::default();
    request.extensions_mut().insert(source.clone());
    let response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let Some(read) = source.single() else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PAGE_BYTES).await else {
        tracing::error!("a browse page could not be read to be kept");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(html) = std::str::from_utf8(&bytes) {
        state
            .browse_pages
            .keep(key, viewer, read, &parts.headers, html);
    }
    parts
        .headers
        .insert(X_CACHE, HeaderValue::from_static("miss"));
    Response::from_parts(parts, Body::from(bytes))
}

/// The page from its template, when there is one and the viewer's header, and the listings
/// it was rendered from are still those a new render would read (the browse cache decides,
/// as for any page).
async fn cached(
    state: &AppState,
    key: &PageKey,
    viewer: &Option<app::dto::Account>,
) -> Option<Response> {
    let pages = &state.browse_pages;
    let template = pages.template(key)?;
    let nav = pages.nav(key.language(), viewer)?;
    let (query, page) = template.read();
    let now = domain::clock::now();
    let current = state
        .browse_cache
        .browse(&state.db, query, now, PAGE_SIZE)
        .await
        .ok()?;
    if current != *page {
        return None;
    }
    let mut response = Body::from(template.page(&nav, Utc::now())).into_response();
    *response.headers_mut() = template.headers().clone();
    response
        .headers_mut()
        .insert(X_CACHE, HeaderValue::from_static("hit"));
    Some(response)
}
