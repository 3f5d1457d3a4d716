//! `GET /images/{key}.jpg`: listing photos from the shared store. The key is the SHA-256 of
//! the bytes, so a URL never changes content and browsers may keep it for a year.

use app::{domain::images, state::AppState};
use axum::{
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

pub async fn serve(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(key) = file
        .strip_suffix(".jpg")
        .filter(|k| k.len() == 64 && k.bytes().all(|b| b.is_ascii_hexdigit()))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match images::load(&state.db, key).await {
        Ok(Some(image)) => {
            let mut response = image.bytes.into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            if let Ok(etag) = HeaderValue::from_str(&format!("\"{key}\"")) {
                headers.insert(header::ETAG, etag);
            }
            response
        }
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot load image");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
