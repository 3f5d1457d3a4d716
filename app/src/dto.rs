//! Wire types shared by the UI and the server (never SeaORM models).

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use serde::{Deserialize, Serialize};

pub use entity::codes::{
    Category, DietaryTag, DietaryTags, Language, ListingState, LiveChange, Outcome, Role, Sort,
    Unit,
};

/// What the home page shows about the platform right now. Its times go as milliseconds (see
/// [`EpochMillis`]): its island reads them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Availability {
    pub available_listings: u64,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub checked_at: DateTime<Utc>,
    /// The earliest deadline among those listings: the figure drops by itself then.
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub next_deadline: Option<DateTime<Utc>>,
}

/// A time an island receives: milliseconds since the epoch. Every time the WASM reads (island
/// props, `Availability`, a refusal's times) is sent so: RFC 3339 strings would bring chrono's
/// parser into every page's WASM, about 10 KB compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochMillis(#[serde(with = "chrono::serde::ts_milliseconds")] pub DateTime<Utc>);

impl From<DateTime<Utc>> for EpochMillis {
    fn from(at: DateTime<Utc>) -> Self {
        EpochMillis(at)
    }
}

/// Cameroon keeps West Africa Time (UTC+1) all year. Times are shown in it on the server and in
/// the browser alike, so the server-rendered page and the hydrated one agree.
pub fn local_time(at: DateTime<Utc>) -> String {
    let at = at.with_timezone(&site_offset());
    format!("{:02}:{:02}:{:02}", at.hour(), at.minute(), at.second())
}

/// Where a role lands after logging in.
pub fn home(role: Role) -> &'static str {
    match role {
        Role::Business => "/business",
        Role::Client => "/browse",
    }
}

/// The logged-in user, as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

/// A listing as a card on the browse page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingCard {
    pub id: i64,
    pub item_name: String,
    pub quantity: f64,
    pub unit: Unit,
    pub category: Category,
    pub dietary_tags: DietaryTags,
    pub business_name: String,
    pub pickup_location: String,
    pub available_until: DateTime<Utc>,
    /// Whole minutes left when the page was fetched (so the server-rendered and the hydrated
    /// page say the same).
    pub minutes_left: i64,
    pub thumbnail: Option<ImageRef>,
}

/// A listing with everything about it (the detail page, the business's dashboard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListingDetail {
    pub id: i64,
    pub business_id: i64,
    pub item_name: String,
    pub quantity: f64,
    pub unit: Unit,
    pub category: Category,
    pub dietary_tags: DietaryTags,
    pub description: String,
    pub pickup_from: Option<DateTime<Utc>>,
    pub available_until: DateTime<Utc>,
    pub state: ListingState,
    pub business_name: String,
    pub pickup_location: String,
    pub photo: Option<ImageRef>,
    pub thumbnail: Option<ImageRef>,
    pub created_at: DateTime<Utc>,
}

/// What a client needs after a claim (and finds again under "My claims"): the food and how to
/// arrange its pickup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimView {
    pub claim_id: i64,
    pub claimed_at: DateTime<Utc>,
    pub listing_id: i64,
    pub item_name: String,
    pub quantity: f64,
    pub unit: Unit,
    pub pickup_from: Option<DateTime<Utc>>,
    pub available_until: DateTime<Utc>,
    pub business_name: String,
    pub pickup_location: String,
    pub business_phone: String,
    pub business_email: String,
    pub thumbnail: Option<ImageRef>,
    /// What became of it, once recorded.
    pub outcome: Option<OutcomeView>,
    /// When the server read it: the page's clock until the browser's ticks, so the page
    /// rendered on the server and the hydrated one agree.
    pub checked_at: DateTime<Utc>,
}

impl ClaimView {
    /// When the pickup may be recorded: from the pickup start, or from the claim without one.
    pub fn pickup_starts(&self) -> DateTime<Utc> {
        pickup_starts(self.pickup_from, self.claimed_at)
    }
}

/// A claim's pickup may be recorded from the listing's pickup start, or from the claim itself
/// when the listing has none.
pub fn pickup_starts(
    pickup_from: Option<DateTime<Utc>>,
    claimed_at: DateTime<Utc>,
) -> DateTime<Utc> {
    pickup_from.map_or(claimed_at, |from| from.max(claimed_at))
}

/// A cancellation this close to the deadline (or closer) is late.
pub const LATE_CANCEL_MINUTES: i64 = 60;

/// What became of a claim, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeView {
    pub outcome: Outcome,
    /// A cancellation in the last hour before the deadline.
    pub late: bool,
    pub at: DateTime<Utc>,
}

/// A client's record of past claims, as businesses see it beside a claim.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reliability {
    pub collected: u32,
    pub not_collected: u32,
    pub late_cancels: u32,
}

/// Who claimed a listing, for its business only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claimant {
    pub claim_id: i64,
    pub contact_name: String,
    pub phone: String,
    pub email: String,
    pub claimed_at: DateTime<Utc>,
    pub outcome: Option<OutcomeView>,
    pub reliability: Reliability,
    /// When the server read it (see [`ClaimView::checked_at`]).
    pub checked_at: DateTime<Utc>,
}

/// Where a client stands with a claimed listing: they hold it, wait for it, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaitStatus {
    Holding,
    Waiting,
    NotWaiting,
}

/// One step of a listing's life since it was posted, for its business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryStep {
    pub at: DateTime<Utc>,
    /// The client of the claim this step is about.
    pub client: String,
    /// `None`: claimed; otherwise what became of that claim.
    pub outcome: Option<Outcome>,
    pub late: bool,
}

/// A business's own listing on its dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OwnListing {
    pub listing: ListingDetail,
    /// The claim of the listing's current round (none while it is available).
    pub claimed_by: Option<Claimant>,
    /// Every claim and outcome, oldest first.
    pub history: Vec<HistoryStep>,
}

/// A stored image: its content-hashed URL and its size, so pages reserve its space.

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageRef {
    pub url: String,
    pub width: u32,
    pub height: u32,
}

/// One page of a list, and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// The site shows and reads times in West Africa Time (UTC+1).
pub fn site_offset() -> FixedOffset {
    FixedOffset::east_opt(3600).expect("UTC+1 is a valid offset")
}

/// `2026-11-22T18:30` (what an `<input type="datetime-local">` holds), in site time.
pub fn datetime_local(at: DateTime<Utc>) -> String {
    let at = at.with_timezone(&site_offset());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        at.year(),
        at.month(),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// `22/11 18:30`, in site time.
pub fn short_datetime(at: DateTime<Utc>) -> String {
    let at = at.with_timezone(&site_offset());
    format!(
        "{:02}/{:02} {:02}:{:02}",
        at.day(),
        at.month(),
        at.hour(),
        at.minute()
    )
}

/// `45 min`, `3 h 20 min`, `2 d 4 h`.
pub fn duration_text(minutes: i64) -> String {
    let minutes = minutes.max(0);
    match (minutes / (24 * 60), minutes / 60 % 24, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `2.5` rather than `2.50` or `2.5000001`. Written from whole hundredths: the browser's WASM
/// then carries no float formatting.
pub fn quantity_text(quantity: f64) -> String {
    let hundredths = (quantity * 100.0).round() as i64;
    let (whole, part) = (hundredths / 100, (hundredths % 100).abs());
    let sign = if hundredths < 0 && whole == 0 {
        "-"
    } else {
        ""
    };
    match part {
        0 => format!("{sign}{whole}"),
        p if p % 10 == 0 => format!("{sign}{whole}.{}", p / 10),
        p => format!("{sign}{whole}.{p:02}"),
    }
}

#[cfg(test)]
mod text_tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_written_in_cameroon_time() {
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 23, 7, 9).unwrap();
        assert_eq!(local_time(at), "00:07:09");
        assert_eq!(short_datetime(at), "06/01 00:07");
        assert_eq!(datetime_local(at), "2026-01-06T00:07");
    }

    #[test]
    fn quantities_are_written_to_the_hundredth_without_trailing_zeros() {
        assert_eq!(quantity_text(12.0), "12");
        assert_eq!(quantity_text(2.5), "2.5");
        assert_eq!(quantity_text(0.333), "0.33");
        assert_eq!(quantity_text(1.005000001), "1.01");
        assert_eq!(quantity_text(0.05), "0.05");
        assert_eq!(quantity_text(-0.5), "-0.5");
        assert_eq!(quantity_text(-2.25), "-2.25");
    }

    #[test]
    fn time_left_reads_naturally() {
        assert_eq!(duration_text(45), "45 min");
        assert_eq!(duration_text(180), "3 h");
        assert_eq!(duration_text(200), "3 h 20 min");
        assert_eq!(duration_text(3 * 24 * 60 + 250), "3 d 4 h");
        assert_eq!(duration_text(-5), "0 min");
    }
}

/// A listing's id as a server function argument. One that is not a whole number is refused
/// with a message naming the argument, so an API client knows what to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ListingId(pub i64);

/// A claim's id as a server function argument, read as [`ListingId`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ClaimId(pub i64);

impl<'de> Deserialize<'de> for ListingId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        id_argument(deserializer, "listing_id", "a listing's number").map(ListingId)
    }
}

impl<'de> Deserialize<'de> for ClaimId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        id_argument(deserializer, "claim_id", "a claim's number").map(ClaimId)
    }
}

/// Reads the argument `name`, a whole number given as a number or as text (a form field).
fn id_argument<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
    what: &'static str,
) -> Result<i64, D::Error> {
    struct Id {
        name: &'static str,
        what: &'static str,
    }
    impl serde::de::Visitor<'_> for Id {
        type Value = i64;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "`{}`, {}", self.name, self.what)
        }

        fn visit_i64<E: serde::de::Error>(self, id: i64) -> Result<i64, E> {
            Ok(id)
        }

        fn visit_u64<E: serde::de::Error>(self, id: u64) -> Result<i64, E> {
            i64::try_from(id)
                .map_err(|_| E::custom(format!("`{}` is out of range: {id}", self.name)))
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<i64, E> {
            text.trim().parse().map_err(|_| {
                E::custom(format!(
                    "`{}` must be {}, not {text:?}",
                    self.name, self.what
                ))
            })
        }
    }
    deserializer.deserialize_any(Id { name, what })
}

#[cfg(test)]
mod listing_id_tests {
    use super::ListingId;

    #[test]
    fn a_malformed_listing_id_names_the_argument() {
        assert_eq!(
            serde_json::from_str::<ListingId>("\"42\"").unwrap(),
            ListingId(42)
        );
        assert_eq!(
            serde_json::from_str::<ListingId>("7").unwrap(),
            ListingId(7)
        );
        let error = serde_json::from_str::<ListingId>("\"abc\"").unwrap_err();
        assert!(error.to_string().contains("`listing_id`"), "{error}");
        let error = serde_json::from_str::<super::ClaimId>("\"abc\"").unwrap_err();
        assert!(error.to_string().contains("`claim_id`"), "{error}");
    }
}

/// What a listing event tells an open page (the `listing` events of `GET /events`): ids and
/// states only, never anyone's contact details. `mine` is true only on the streams of the
/// listing's business and of its claimant, whose pages then refetch what they may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveEvent {
    pub listing: i64,
    pub change: LiveChange,
    pub state: ListingState,
    pub mine: bool,
    /// On a reopen: the viewer was waiting for this listing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub waited: bool,
}
