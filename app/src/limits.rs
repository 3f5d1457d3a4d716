//! Field limits, shared: the server enforces them, the forms announce them (`maxlength`).

pub const NAME_MAX: usize = 120;
pub const LOCATION_MAX: usize = 300;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
/// Bounds the work argon2 does on a request.
pub const PASSWORD_MAX: usize = 128;
