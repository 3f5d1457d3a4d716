//! Wire types shared by the UI and the server (never SeaORM models).

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

/// What the home page shows about the platform right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    pub available_listings: u64,
    pub checked_at: DateTime<Utc>,
}

/// Cameroon keeps West Africa Time (UTC+1) all year. Times are shown in it on the server and in
/// the browser alike, so the server-rendered page and the hydrated one agree.
pub fn local_time(at: DateTime<Utc>) -> String {
    let wat = FixedOffset::east_opt(3600).expect("UTC+1 is a valid offset");
    at.with_timezone(&wat).format("%H:%M:%S").to_string()
}
