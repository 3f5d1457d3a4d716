//! Field limits, shared: the server enforces them, the forms announce them (`maxlength`).

pub const NAME_MAX: usize = 120;
pub const LOCATION_MAX: usize = 300;
pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
/// Bounds the work argon2 does on a request.
pub const PASSWORD_MAX: usize = 128;
pub const ITEM_NAME_MAX: usize = 120;
pub const DESCRIPTION_MAX: usize = 2000;
/// More than any one business gives away at once; refuses typos like 10000000.
pub const QUANTITY_MAX: f64 = 100_000.0;
/// How far ahead a listing may run.
pub const MAX_DAYS_AHEAD: u32 = 7;
/// Longest text search.
pub const SEARCH_MAX: usize = 100;
/// Cards per browse page.
pub const PAGE_SIZE: u64 = 20;
/// Largest photo upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 8 * 1024 * 1024;
/// Entries per page of "My claims" and of a business's dashboard.
pub const OWN_PAGE_SIZE: u64 = 50;
