use chrono::{DateTime, SubsecRound, Utc};

/// The current time, in whole seconds.
///
/// SQLite stores timestamps as RFC 3339 text with a variable number of fractional digits, which
/// would not compare correctly as text; whole seconds keep every stored time the same shape on
/// both backends.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}
