//! Server functions: public POST endpoints with stable names. Each reads the state, checks the
//! caller itself, calls the domain and returns a DTO.

mod accounts;
mod claims;
mod listings;
mod stats;

pub use accounts::*;
pub use claims::*;

pub use listings::*;
pub use stats::*;

/// Gives an error its HTTP status (see [`crate::error::AppError::status`]); every server
/// function returns through here. A plain form post (JavaScript off) keeps the redirect back
/// to its page, which shows the error.
#[cfg(feature = "ssr")]
pub(crate) fn respond<T>(
    result: Result<T, crate::error::AppError>,
) -> Result<T, crate::error::AppError> {
    if let Err(err) = &result
        && !crate::auth::is_plain_form_post()
        && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        response.set_status(err.status());
    }
    result
}
