//! Live updates. Every page is rendered on the server; in the browser two islands keep it
//! current, once the WASM has loaded (without it a page is as fresh as its last load):
//! - [`LiveStream`], on every page, opens one `EventSource` on `/events`, reopens it with a
//!   growing wait whenever the browser gives up on it, and tells a client, on whatever page,
//!   that a listing they waited for is available again;
//! - [`LiveWatch`], on each page that can change, says which events change it and when it
//!   changes by itself (its next deadline). Then the page is fetched again and its new content
//!   put in place, islands and all: the server stays the one place that renders a page.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::{
    components::island_i18n,
    dto::{EpochMillis, LiveChange, LiveEvent},
    i18n::*,
};

/// The element whose content is the page's own, inside `<main>`: what a refresh replaces.
pub const PAGE_ID: &str = "page";

/// Which events change a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LiveScope {
    /// The browse page and the listings it shows: one of them claimed, withdrawn or changed is
    /// shown at once; a new or reopened listing is announced and shown on request, so no card
    /// moves under the user's finger.
    Browse { shown: Vec<i64> },
    /// One listing's page.
    Listing(i64),
    /// The viewer's own listings or claims.
    Mine,
}

/// What a page does about an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    Ignore,
    Refresh,
    /// Tell the user there is something new, and refresh when they ask.
    Announce,
}

impl LiveScope {
    pub fn reaction(&self, event: &LiveEvent) -> Reaction {
        let refresh_if = |yes: bool| {
            if yes {
                Reaction::Refresh
            } else {
                Reaction::Ignore
            }
        };
        match self {
            LiveScope::Browse { shown } => match event.change {
                LiveChange::Posted | LiveChange::Reopened => Reaction::Announce,
                LiveChange::Claimed | LiveChange::Withdrawn | LiveChange::Updated => {
                    refresh_if(shown.contains(&event.listing))
                }
                LiveChange::Settled => Reaction::Ignore,
            },
            LiveScope::Listing(id) => refresh_if(*id == event.listing),
            LiveScope::Mine => refresh_if(event.mine),
        }
    }
}

/// The earliest of `times` after `now`: when a page showing them changes by itself.
pub fn next_change(
    now: DateTime<Utc>,
    times: impl IntoIterator<Item = DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    times.into_iter().filter(|&at| at > now).min()
}

/// What just happened to `listing`, when the page was fetched again because of it: the page
/// tells it in a notice ("… has just been claimed").
pub fn just_happened(listing: i64) -> Option<LiveChange> {
    let query = use_query_map();
    let (change, id) = query
        .read_untracked()
        .get("live")?
        .split_once(':')
        .map(|(c, i)| (LiveChange::parse(c), i.parse::<i64>().ok()))?;
    (id? == listing).then_some(change?)
}

/// The page's live stream, and the notice that a listing the client waited for is back.
#[island]
pub fn LiveStream() -> impl IntoView {
    let i18n = island_i18n();
    let reopened = RwSignal::new(None::<i64>);
    #[cfg(feature = "hydrate")]
    browser::open_stream(reopened);

    move || {
        reopened.get().map(|listing| {
            view! {
                <p class="alert success" role="status" data-testid="waited-notice">
                    {t!(i18n, live_reopened_notice)}
                    " "
                    <a href=format!("/listings/{listing}")>{t!(i18n, live_reopened_link)}</a>
                </p>
            }
        })
    }
}

/// Keeps the page it is on current: fetched again when an event in `scope` arrives, and at
/// `changes_at` (a deadline on the page passes), `checked_at` being the server's time when it
/// rendered the page.
#[island]
pub fn LiveWatch(
    scope: LiveScope,
    changes_at: Option<EpochMillis>,
    #[prop(into)] checked_at: EpochMillis,
) -> impl IntoView {
    let i18n = island_i18n();
    let news = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    browser::watch(scope, changes_at.map(|at| at.0), checked_at.0, news);
    #[cfg(not(feature = "hydrate"))]
    let _ = (scope, changes_at, checked_at);

    move || {
        news.get().then(|| {
            view! {
                <p class="live-bar" role="status">
                    <button
                        type="button"
                        class="button secondary"
                        on:click=move |_| {
                            #[cfg(feature = "hydrate")]
                            browser::refresh(None);
                        }
                    >
                        {t!(i18n, browse_new_listings)}
                    </button>
                </p>
            }
        })
    }
}

#[cfg(feature = "hydrate")]
pub use browser::{on_each_event, page_received, received_now, wait_until};

/// Fetches the page again and shows its new content (after something done on it).
#[cfg(feature = "hydrate")]
pub fn refresh_page() {
    browser::refresh(None);
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::{
        cell::{Cell, RefCell},
        rc::Rc,
        time::Duration,
    };

    use chrono::{DateTime, Utc};
    use leptos::{prelude::*, task::spawn_local};
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DomParser, Event, EventSource, HtmlElement, MessageEvent, SupportedType};

    use super::{LiveScope, PAGE_ID, Reaction};
    use crate::dto::LiveEvent;

    /// A little after a deadline, so the server sees it passed.
    const AFTER_DEADLINE: Duration = Duration::from_millis(100);

    /// The longest wait before opening a stream the browser gave up on.
    const MAX_BACKOFF: Duration = Duration::from_secs(30);

    type Listener = Closure<dyn FnMut(Event)>;

    thread_local! {
        /// The last event, counted; `None`: the stream missed some, everything may have changed.
        static PULSE: RwSignal<(u64, Option<LiveEvent>)> = RwSignal::new((0, None));
        /// Moves each time the page's content is replaced: a watcher of the content before
        /// then has nothing to watch.
        static CONTENT: Cell<u64> = const { Cell::new(0) };
        /// When the content shown arrived, on the page's monotonic clock (see [`wait_until`]).
        static RECEIVED: Cell<f64> = Cell::new(page_received());
        /// A refresh under way, and whether another was asked for meanwhile (with its event).
        static REFRESHING: Cell<bool> = const { Cell::new(false) };
        static AGAIN: RefCell<Option<Option<LiveEvent>>> = const { RefCell::new(None) };
    }

    /// The open stream of this page.
    struct Connection {
        reopened: RwSignal<Option<i64>>,
        source: RefCell<Option<(EventSource, Vec<Listener>)>>,
        failures: Cell<u32>,
    }

    pub fn open_stream(reopened: RwSignal<Option<i64>>) {
        open(Rc::new(Connection {
            reopened,
            source: RefCell::new(None),
            failures: Cell::new(0),
        }));
    }

    fn open(connection: Rc<Connection>) {
        close(&connection);
        let Ok(source) = EventSource::new("/events") else {
            retry(connection);
            return;
        };

        let on_listing = {
            let connection = connection.clone();
            Listener::new(move |event: Event| {
                connection.failures.set(0);
                let data = event
                    .dyn_ref::<MessageEvent>()
                    .and_then(|message| message.data().as_string());
                if let Some(event) = data.and_then(|d| serde_json::from_str::<LiveEvent>(&d).ok()) {
                    if event.waited {
                        connection.reopened.set(Some(event.listing));
                    }
                    tell(Some(event));
                }
            })
        };
        let on_refetch = Listener::new(move |_: Event| tell(None));
        let on_open = Listener::new(move |_: Event| mark("open"));
        let on_error = {
            let connection = connection.clone();
            Listener::new(move |_: Event| {
                mark("connecting");
                // CONNECTING: the browser retries by itself. CLOSED: it gave up (the server
                // answered with an error, say); open again after a wait.
                let closed = connection
                    .source
                    .borrow()
                    .as_ref()
                    .is_some_and(|(source, _)| source.ready_state() == EventSource::CLOSED);
                if closed {
                    close(&connection);
                    retry(connection.clone());
                }
            })
        };
        for (name, listener) in [
            ("listing", &on_listing),
            ("refetch", &on_refetch),
            ("open", &on_open),
            ("error", &on_error),
        ] {
            let _ =
                source.add_event_listener_with_callback(name, listener.as_ref().unchecked_ref());
        }
        connection.source.replace(Some((
            source,
            vec![on_listing, on_refetch, on_open, on_error],
        )));
    }

    /// `<body data-live="open">` while the stream is open (`connecting` otherwise), so tests
    /// can tell.
    fn mark(state: &str) {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-live", state);
        }
    }

    fn close(connection: &Connection) {
        if let Some((source, _listeners)) = connection.source.take() {
            source.close();
        }
    }

    fn retry(connection: Rc<Connection>) {
        let failures = connection.failures.get() + 1;
        connection.failures.set(failures);
        let wait = Duration::from_secs(1 << failures.min(5)).min(MAX_BACKOFF);
        set_timeout(move || open(connection), wait);
    }

    fn tell(event: Option<LiveEvent>) {
        PULSE.with(|pulse| pulse.update(|(seq, last)| (*seq, *last) = (*seq + 1, event)));
    }

    /// The page's monotonic clock, in milliseconds since it was opened.
    pub fn received_now() -> f64 {
        window().performance().map_or(0.0, |p| p.now())
    }

    /// When the page's first byte arrived, on its monotonic clock: when the server had just read
    /// the time it rendered with.
    pub fn page_received() -> f64 {
        window().performance().map_or(0.0, |p| {
            let timing = p.timing();
            (timing.response_start() - p.time_origin()).max(0.0)
        })
    }

    /// How long to wait from now for `at`, on the server's clock, which read `checked_at` for
    /// content that arrived at `received` ([`received_now`] then). Neither a phone's own clock
    /// (it may be off) nor the time its WASM took to load delays it.
    pub fn wait_until(at: DateTime<Utc>, checked_at: DateTime<Utc>, received: f64) -> Duration {
        let since = Duration::from_secs_f64((received_now() - received).max(0.0) / 1000.0);
        (at - checked_at)
            .to_std()
            .unwrap_or_default()
            .saturating_sub(since)
            + AFTER_DEADLINE
    }

    /// Calls `f` on each event of the stream, and when it asks for everything again.
    pub fn on_each_event(f: impl Fn() + 'static) {
        let pulse = PULSE.with(|pulse| *pulse);
        let seen = pulse.get_untracked().0;
        Effect::new(move |_| {
            if pulse.get().0 != seen {
                f();
            }
        });
    }

    /// Refreshes the page on the events of `scope` and at `changes_at` (announcing instead what
    /// the scope only announces), for as long as the content it came with is shown.
    pub fn watch(
        scope: LiveScope,
        changes_at: Option<DateTime<Utc>>,
        checked_at: DateTime<Utc>,
        news: RwSignal<bool>,
    ) {
        let content = CONTENT.with(Cell::get);
        let current = move || CONTENT.with(Cell::get) == content;
        let pulse = PULSE.with(|pulse| *pulse);
        let seen = pulse.get_untracked().0;
        Effect::new(move |_| {
            let (seq, event) = pulse.get();
            if seq == seen || !current() {
                return;
            }
            match event.as_ref().map(|e| scope.reaction(e)) {
                None | Some(Reaction::Refresh) => refresh(event),
                Some(Reaction::Announce) => news.set(true),
                Some(Reaction::Ignore) => {}
            }
        });
        if let Some(at) = changes_at {
            set_timeout(
                move || {
                    if current() {
                        refresh(None);
                    }
                },
                wait_until(at, checked_at, RECEIVED.with(Cell::get)),
            );
        }
    }

    /// Fetches this page again and puts its content in place of the shown one, then brings
    /// its islands to life. `just`: the event that changed it, which the page may tell in a
    /// notice (`?live=claimed:42`). One at a time: asked again meanwhile, it runs once more.
    pub fn refresh(just: Option<LiveEvent>) {
        if REFRESHING.with(|r| r.replace(true)) {
            AGAIN.with(|again| *again.borrow_mut() = Some(just));
            return;
        }
        spawn_local(async move {
            if let Err(error) = replace_content(just).await {
                leptos::logging::warn!("live refresh failed: {error:?}");
            }
            REFRESHING.with(|r| r.set(false));
            if let Some(just) = AGAIN.with(|again| again.borrow_mut().take()) {
                refresh(just);
            }
        });
    }

    async fn replace_content(just: Option<LiveEvent>) -> Result<(), JsValue> {
        let location = window().location();
        let search = location.search()?;
        let mut url = format!("{}{search}", location.pathname()?);
        if let Some(event) = just {
            let separator = if search.is_empty() { '?' } else { '&' };
            url.push_str(&format!(
                "{separator}live={}:{}",
                event.change.as_str(),
                event.listing
            ));
        }
        let response: web_sys::Response = JsFuture::from(window().fetch_with_str(&url))
            .await?
            .dyn_into()?;
        if !response.ok() {
            return Err(JsValue::from(response.status()));
        }
        let html = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        let fetched = DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)?;
        let (Some(new), Some(shown)) = (
            fetched.get_element_by_id(PAGE_ID),
            document().get_element_by_id(PAGE_ID),
        ) else {
            return Err(JsValue::from_str("no page content"));
        };
        CONTENT.with(|c| c.set(c.get() + 1));
        RECEIVED.with(|r| r.set(received_now()));
        shown.set_inner_html(&new.inner_html());
        document().set_title(&fetched.title());
        hydrate_islands(&shown)
    }

    /// Brings the islands under `root` to life, as the islands script does at page load.
    fn hydrate_islands(root: &web_sys::Element) -> Result<(), JsValue> {
        let hydrate: js_sys::Function =
            js_sys::Reflect::get(&window(), &JsValue::from_str("__hydrateIsland"))?.dyn_into()?;
        let islands = root.query_selector_all("leptos-island")?;
        for i in 0..islands.length() {
            let Some(island) = islands
                .item(i)
                .and_then(|n| n.dyn_into::<HtmlElement>().ok())
            else {
                continue;
            };
            let name = island.dataset().get("component").unwrap_or_default();
            hydrate.call2(&JsValue::NULL, &island, &JsValue::from_str(&name))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::dto::ListingState;

    fn event(listing: i64, change: LiveChange, mine: bool) -> LiveEvent {
        LiveEvent {
            listing,
            change,
            state: ListingState::Available,
            mine,
            waited: false,
        }
    }

    #[test]
    fn a_browse_page_refreshes_for_its_own_cards_and_announces_new_ones() {
        let browse = LiveScope::Browse { shown: vec![1, 2] };
        assert_eq!(
            browse.reaction(&event(1, LiveChange::Claimed, false)),
            Reaction::Refresh
        );
        assert_eq!(
            browse.reaction(&event(2, LiveChange::Updated, false)),
            Reaction::Refresh
        );
        assert_eq!(
            browse.reaction(&event(3, LiveChange::Claimed, false)),
            Reaction::Ignore
        );
        assert_eq!(
            browse.reaction(&event(3, LiveChange::Posted, false)),
            Reaction::Announce
        );
        assert_eq!(
            browse.reaction(&event(1, LiveChange::Reopened, false)),
            Reaction::Announce
        );
        assert_eq!(
            browse.reaction(&event(1, LiveChange::Settled, false)),
            Reaction::Ignore
        );
    }

    #[test]
    fn a_listing_page_follows_its_listing_and_own_pages_their_owner() {
        let page = LiveScope::Listing(7);
        assert_eq!(
            page.reaction(&event(7, LiveChange::Claimed, true)),
            Reaction::Refresh
        );
        assert_eq!(
            page.reaction(&event(8, LiveChange::Claimed, false)),
            Reaction::Ignore
        );
        assert_eq!(
            LiveScope::Mine.reaction(&event(8, LiveChange::Settled, true)),
            Reaction::Refresh
        );
        assert_eq!(
            LiveScope::Mine.reaction(&event(8, LiveChange::Claimed, false)),
            Reaction::Ignore
        );
    }

    #[test]
    fn a_page_changes_next_at_its_earliest_time_still_ahead() {
        let at = |h| Utc.with_ymd_and_hms(2026, 12, 6, h, 0, 0).unwrap();
        assert_eq!(next_change(at(10), [at(9), at(12), at(11)]), Some(at(11)));
        assert_eq!(next_change(at(10), [at(9), at(10)]), None);
    }
}
