//! Requests too large to read. A photo over the limit posted without JavaScript would
//! otherwise get a bare "413 length limit exceeded" page: it goes back to its form instead,
//! with the same message the form shows when the photo is checked.

use app::{
    error::{AppError, Field, Problem},
    request,
};
use axum::{
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use http_body_util::BodyExt;
use leptos::server_fn::error::ServerFnUrlError;

use crate::language::same_site_referer;

/// Largest request body: an 8 MB photo and the rest of its form fit well within it.
pub const MAX_BODY_BYTES: usize = 12 * 1024 * 1024;

/// Past this, an oversized body is not even read to the end: the connection is dropped.
const DRAIN_LIMIT_BYTES: usize = 64 * 1024 * 1024;

/// Refuses a request whose declared length is over [`MAX_BODY_BYTES`] without using its body.
/// (A body sent without a length is cut off by `RequestBodyLimitLayer`.)
pub async fn refuse_oversized(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|length| length.to_str().ok()?.parse::<usize>().ok());
    let Some(length) = declared.filter(|&length| length > MAX_BODY_BYTES) else {
        return next.run(request).await;
    };
    let response =
        back_to_form(&request).unwrap_or_else(|| StatusCode::PAYLOAD_TOO_LARGE.into_response());
    // A browser still sending its upload reads an early answer as a reset connection and shows
    // its own error page: take (and drop) what it sends, then answer.
    if length <= DRAIN_LIMIT_BYTES {
        let mut body = request.into_body();
        while let Some(Ok(_)) = body.frame().await {}
    }
    response
}

/// A plain multipart form post (a listing with its photo) goes back to the page it came from,
/// with the refusal in the address as for any server function refused without JavaScript.
fn back_to_form(request: &Request) -> Option<Response> {
    let headers = request.headers();
    let multipart = headers
        .get(header::CONTENT_TYPE)?
        .to_str()
        .ok()?
        .starts_with("multipart/form-data");
    if !multipart || !request::is_form_post(request.method(), headers) {
        return None;
    }
    let back = same_site_referer(headers)?;
    let error = AppError::field(Field::Photo, Problem::photo_too_large());
    // Only the path and query are kept: the redirect stays on this site.
    let url = ServerFnUrlError::new(request.uri().path(), error)
        .to_url(&format!("http://localhost{back}"))
        .ok()?;
    let location = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    };
    Some(Redirect::to(&location).into_response())
}
