//! Requests refused before any server function reads them, answered 400 with the reason
//! instead of reaching code that cannot cope with them.

use app::{api::multipart_endpoints, error::AppError};
use axum::{
    Json,
    extract::Request,
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// A POST to a multipart server function whose body is not `multipart/form-data` with a
/// boundary (a plain form, JSON, nothing): server_fn 0.8 would panic on it and drop the
/// connection without an answer.
pub async fn refuse_non_multipart(request: Request, next: Next) -> Response {
    if request.method() == Method::POST
        && multipart_endpoints().contains(&request.uri().path())
        && !has_boundary(&request)
    {
        let error = AppError::BadRequest(
            "expected a multipart/form-data body with a boundary (the listing form)".into(),
        );
        return (error.status(), Json(error)).into_response();
    }
    next.run(request).await
}

fn has_boundary(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| multer::parse_boundary(value).is_ok())
}
