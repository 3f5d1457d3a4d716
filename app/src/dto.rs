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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Posts surplus food.
    Business,
    /// Claims it.
    Client,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Business => "business",
            Role::Client => "client",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Role::Business, Role::Client]
            .into_iter()
            .find(|r| r.as_str() == code)
    }

    /// Where this role lands after logging in.
    pub fn home(self) -> &'static str {
        match self {
            Role::Business => "/business",
            Role::Client => "/account",
        }
    }
}

/// The logged-in user, as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub role: Role,
    pub display_name: String,
    pub email: String,
    pub phone: String,
    pub pickup_location: Option<String>,
}

/// What a form held when the server refused it, so a page rendered without JavaScript can put
/// it back (passwords are never kept).
pub type KeptForm = std::collections::BTreeMap<String, String>;

/// A path on this site to go back to after logging in; anything else (another site, `//host`)
/// is refused.
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/business?tab=1")), Some("/business?tab=1"));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(None), None);
    }
}
