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

#[cfg(feature = "ssr")]
use crate::error::AppError;

/// Gives an error its HTTP status (see [`AppError::status`]); every server function returns
/// through here. A plain form post (JavaScript off) keeps the redirect back to its page, which
/// shows the error. While a page renders, the error of the server function it waits for is
/// the page's status (a missing listing is a 404 page).
#[cfg(feature = "ssr")]
pub(crate) fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        err.answer_with_status();
    }
    result
}

/// The one place where the domain's answer becomes the wire's: refusals keep their meaning,
/// failures are logged with their cause and cross the wire as a bare "internal error".
#[cfg(feature = "ssr")]
impl From<crate::domain::error::DomainError> for AppError {
    fn from(err: crate::domain::error::DomainError) -> Self {
        use crate::domain::error::DomainError;
        match err {
            DomainError::Unauthenticated => AppError::Unauthenticated,
            DomainError::Forbidden => AppError::Forbidden,
            DomainError::NotFound => AppError::NotFound,
            DomainError::InvalidCredentials => AppError::InvalidCredentials,
            DomainError::RateLimited { retry_after_secs } => {
                AppError::RateLimited { retry_after_secs }
            }
            DomainError::Unavailable(state) => AppError::Unavailable { state },
            DomainError::Refused(refusal) => AppError::Refused(refusal),
            DomainError::Invalid(errors) => AppError::Validation(errors),
            DomainError::Database(_) | DomainError::Internal(_) => {
                tracing::error!(error = %err, "server failure");
                AppError::Internal
            }
        }
    }
}

/// The server functions that take a multipart body (a listing with its photo). server_fn 0.8
/// panics on such a request whose body is not multipart with a boundary, so the server refuses
/// those before they reach it.
#[cfg(feature = "ssr")]
pub fn multipart_endpoints() -> [&'static str; 2] {
    use leptos::server_fn::ServerFn;
    [CreateListing::PATH, UpdateListing::PATH]
}
