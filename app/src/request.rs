//! What kind of request is being answered. A leaf module: the wire error and the guards both
//! ask it.

use axum::http::{HeaderMap, Method, header, request::Parts};
use leptos::prelude::use_context;

/// True for a plain HTML form post (JavaScript off): the answer is then a redirect, not data.
/// (A page being rendered is a GET: its status is the server function's.)
pub fn is_plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|parts| is_form_post(&parts.method, &parts.headers))
}

/// [`is_plain_form_post`] for a request seen outside Leptos (axum middleware).
pub fn is_form_post(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::POST
        && headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
}
