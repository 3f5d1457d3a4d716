//! What the business rules answer when they refuse or fail. Apart from the wire error
//! ([`crate::error::AppError`]): a failure keeps its cause (the database's own message) for
//! the logs and `outbox.last_error`, and becomes a generic "internal error" only at the API
//! edge (`api::respond`), the one place where a `DomainError` turns into an `AppError`.

use sea_orm::DbErr;

use crate::{
    dto::ListingState,
    error::{Field, FieldError, Problem, Refusal, problem_of},
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
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
    #[error("the listing is {}", .0.as_str())]
    Unavailable(ListingState),
    /// A claim's rule said no.
    #[error("refused: {0:?}")]
    Refused(Refusal),
    /// One or more fields were refused.
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The database failed or refused a statement; the message is the database's own.
    #[error("database: {0}")]
    Database(String),
    /// Something else on the server failed (the session store, Redis, a worker thread).
    #[error("{0}")]
    Internal(String),
}

impl DomainError {
    pub fn field(field: Field, problem: Problem) -> Self {
        DomainError::Invalid(vec![FieldError { field, problem }])
    }

    /// The problem with `field`, if this error names one.
    pub fn problem(&self, field: Field) -> Option<&Problem> {
        match self {
            DomainError::Invalid(errors) => problem_of(errors, field),
            _ => None,
        }
    }

    /// A failure that is the server's, not the caller's.
    pub fn internal(context: &str, cause: impl std::fmt::Display) -> Self {
        DomainError::Internal(format!("{context}: {cause}"))
    }
}

impl From<DbErr> for DomainError {
    fn from(err: DbErr) -> Self {
        DomainError::Database(err.to_string())
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
