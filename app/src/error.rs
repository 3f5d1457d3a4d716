//! The error type that crosses the wire, typed end to end: the UI turns each variant (and each
//! field problem) into a message in the user's language.

use leptos::server_fn::{
    ServerFnError,
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

use crate::limits::MAX_UPLOAD_BYTES;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not logged in")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// Wrong email or wrong password: deliberately the same error for both.
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("too many attempts; retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The listing is no longer available for this (claimed, expired or withdrawn).
    #[error("listing is {state:?}")]
    Unavailable { state: crate::dto::ListingState },
    /// A claim's rule said no (a fair-share limit, a deadline, an outcome already recorded).
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// One or more fields were refused; the form shows each message beside its field.
    #[error("invalid input: {0:?}")]
    Validation(Vec<FieldError>),
    /// The request could not be read: an argument missing or malformed, a body that is not
    /// the form it should be, text that is not UTF-8. Says what was wrong.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request body is over the server's limit.
    #[error("request too large")]
    TooLarge,
    /// Something went wrong on the server; details are in the server's log, never on the wire.
    #[error("internal error")]
    Internal,
    /// The request never completed (network, serialization): raised on the client side.
    #[error("transport error: {0}")]
    Transport(String),
}

/// Why a step of a claim's life was refused, with what the user needs to know next. Its times
/// go as milliseconds, like every time an island reads (see [`crate::dto::EpochMillis`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The client already holds `max` live claims; the first of them ends at `next_free`.
    LiveLimit {
        max: u32,
        #[serde(with = "chrono::serde::ts_milliseconds_option")]
        next_free: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// The client made `max` claims today; they may claim again from `until`.
    DailyLimit {
        max: u32,
        #[serde(with = "chrono::serde::ts_milliseconds")]
        until: chrono::DateTime<chrono::Utc>,
    },
    /// What became of the claim is already recorded.
    Settled { outcome: crate::dto::Outcome },
    /// The listing's deadline has passed: too late to give the claim back.
    DeadlinePassed,
    /// The pickup can be recorded from this time on.
    PickupNotYet {
        #[serde(with = "chrono::serde::ts_milliseconds")]
        from: chrono::DateTime<chrono::Utc>,
    },
    /// Only a listing someone else holds can be waited for (this one is available, or yours).
    NothingToWaitFor,
}

/// A form field the server can refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Email,
    Password,
    Phone,
    BusinessName,
    PickupLocation,
    ContactName,
    ItemName,
    Quantity,
    Unit,
    Category,
    DietaryTags,
    Description,
    PickupFrom,
    AvailableUntil,
    Photo,
}

/// Why a field was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    EmailInvalid,
    EmailTaken,
    PhoneInvalid,
    /// A number that is not Cameroonian must start with + and its country code.
    PhoneNeedsCountryCode,
    PasswordTooCommon,
    /// Not one of the choices offered.
    NotAChoice,
    /// A quantity that is not a positive number (or absurdly large).
    NotAQuantity,
    /// A date and time that could not be read.
    NotADateTime,
    /// A deadline that has already passed.
    InThePast,
    /// Further ahead than listings may run.
    TooFarAhead {
        days: u32,
    },
    /// Pickup would start after the listing ends.
    PickupAfterDeadline,
    /// Not a JPEG, PNG or WebP photo (whatever its name says).
    NotAPhoto,
    /// A file larger than the limit.
    PhotoTooLarge {
        max_mb: u32,
    },
    /// More pixels than a photo has (for instance a decompression bomb).
    PhotoTooManyPixels {
        max_side: u32,
    },
    /// A photo whose data is cut short or damaged.
    PhotoDamaged,
}

impl Problem {
    /// The photo is over [`MAX_UPLOAD_BYTES`].
    pub fn photo_too_large() -> Self {
        Problem::PhotoTooLarge {
            max_mb: (MAX_UPLOAD_BYTES / (1024 * 1024)) as u32,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

/// The problem with `field` among `errors`, if any.
pub fn problem_of(errors: &[FieldError], field: Field) -> Option<&Problem> {
    errors.iter().find(|e| e.field == field).map(|e| &e.problem)
}

impl AppError {
    pub fn field(field: Field, problem: Problem) -> Self {
        AppError::Validation(vec![FieldError { field, problem }])
    }

    /// The problem with `field`, if this error names one.
    pub fn problem(&self, field: Field) -> Option<&Problem> {
        match self {
            AppError::Validation(errors) => problem_of(errors, field),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with, so logs, metrics and load balancers count
    /// a refused request as a refusal rather than a crash.
    #[cfg(feature = "ssr")]
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. } => StatusCode::CONFLICT,
            AppError::Refused(Refusal::LiveLimit { .. } | Refusal::DailyLimit { .. }) => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal | AppError::Transport(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Gives the response being built this error's status. A plain form post (JavaScript off)
    /// keeps its redirect back to the page, which shows the error.
    #[cfg(feature = "ssr")]
    pub fn answer_with_status(&self) {
        if !crate::request::is_plain_form_post()
            && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        {
            response.set_status(self.status());
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// On the server, the errors server_fn raises before a server function runs are the
    /// client's: its arguments could not be read. In the browser, a request that failed.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let error = match value {
            ServerFnErrorErr::Args(reason)
            | ServerFnErrorErr::MissingArg(reason)
            | ServerFnErrorErr::Deserialization(reason) => {
                // The body limit's own error, met while the body is read.
                if reason.contains("length limit exceeded") {
                    AppError::TooLarge
                } else {
                    AppError::BadRequest(reason)
                }
            }
            other => AppError::Transport(other.to_string()),
        };
        #[cfg(feature = "ssr")]
        error.answer_with_status();
        error
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        AppError::Transport(value.to_string())
    }
}
