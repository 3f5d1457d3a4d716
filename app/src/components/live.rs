//! Live updates on every page: one `EventSource` on `/events` per page, opened once the WASM
//! has loaded (pages work without it, without live updates), reopened when the logged-in user
//! changes, and reopened with a growing wait whenever the browser gives up on it. Pages read
//! the events through [`Live`] and refetch what they show.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::dto::{ListingState, LiveEvent};

/// The last word of the live stream: an event, or (`event: None`) "fetch everything again".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pulse {
    /// Counts the words received; 0 until the first.
    pub seq: u64,
    pub event: Option<LiveEvent>,
}

/// The live stream as the pages see it, and a clock for what expires on its own.
///
/// The clock is read through plain closures over the page-wide signal, never through a signal
/// made for a row: inside a `<Transition>`, a refetch disposes what the shown rows made while
/// they stay on screen until the new data arrives. The clock still ticks for them, and reading
/// a disposed signal is a panic that stops the page's WASM (seen: "Cancel this claim" then did
/// nothing).
#[derive(Clone, Copy)]
pub struct Live {
    pulse: RwSignal<Pulse>,
    now: RwSignal<Option<DateTime<Utc>>>,
}

impl Live {
    /// Provides the context; in the browser, opens the stream (see [`browser`]).
    pub fn provide() {
        let live = Live {
            pulse: RwSignal::new(Pulse::default()),
            now: RwSignal::new(None),
        };
        provide_context(live);
        #[cfg(feature = "hydrate")]
        browser::start(live);
    }

    pub fn get() -> Self {
        expect_context::<Live>()
    }

    pub fn pulse(self) -> RwSignal<Pulse> {
        self.pulse
    }

    /// Moves each time an event for which `matters` holds arrives, or the stream asks for a
    /// refetch: a resource keyed on it fetches again. 0 on the server and until then.
    pub fn version(
        self,
        matters: impl Fn(&LiveEvent) -> bool + Send + Sync + 'static,
    ) -> Memo<u64> {
        let pulse = self.pulse;
        Memo::new(move |previous: Option<&u64>| {
            let pulse = pulse.get();
            match &pulse.event {
                Some(event) if !matters(event) => previous.copied().unwrap_or(0),
                _ => pulse.seq,
            }
        })
    }

    /// The page's clock, or `fallback` (when the server read the data shown) until it ticks:
    /// `None` on the server and while hydrating, so both render the same.
    pub fn now_or(
        self,
        fallback: DateTime<Utc>,
    ) -> impl Fn() -> DateTime<Utc> + Copy + Send + Sync + 'static {
        let now = self.now;
        move || now.get().unwrap_or(fallback)
    }

    /// True once `until` has passed on the page's clock.
    pub fn passed(self, until: DateTime<Utc>) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
        let now = self.now;
        move || now.get().is_some_and(|now| now >= until)
    }

    /// A listing's `state` as it stands on the page's clock: an available one expires at
    /// `until`.
    pub fn state(
        self,
        state: ListingState,
        until: DateTime<Utc>,
    ) -> impl Fn() -> ListingState + Copy + Send + Sync + 'static {
        let passed = self.passed(until);
        move || match state {
            ListingState::Available if passed() => ListingState::Expired,
            state => state,
        }
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::{
        cell::{Cell, RefCell},
        rc::Rc,
        time::Duration,
    };

    use chrono::DateTime;
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, closure::Closure};
    use web_sys::{Event, EventSource, MessageEvent};

    use super::{Live, Pulse};
    use crate::{components::auth::Auth, dto::LiveEvent};

    /// The longest wait before opening a stream the browser gave up on.
    const MAX_BACKOFF: Duration = Duration::from_secs(30);

    type Listener = Closure<dyn FnMut(Event)>;

    /// The open stream of this page.
    struct Connection {
        live: Live,
        source: RefCell<Option<(EventSource, Vec<Listener>)>>,
        failures: Cell<u32>,
        /// Bumped on every reopen, so a reconnection scheduled for an older stream is dropped.
        generation: Cell<u64>,
    }

    pub fn start(live: Live) {
        tick(live);

        let connection = Rc::new(Connection {
            live,
            source: RefCell::new(None),
            failures: Cell::new(0),
            generation: Cell::new(0),
        });
        // A stream carries its user's own events: a new one for each user that logs in or out.
        let auth = expect_context::<Auth>();
        let viewer = Memo::new(move |_| match auth.user.get() {
            Some(Ok(user)) => Some(user.map(|u| u.id)),
            _ => None,
        });
        Effect::new(move |_| {
            if viewer.get().is_some() {
                open(connection.clone());
            }
        });
    }

    /// Sets the page's clock, then again just after each whole second: deadlines are whole
    /// seconds, so what expires goes within milliseconds of its time.
    fn tick(live: Live) {
        live.now.set(Some(now()));
        let to_next_second = 1_000 - (js_sys::Date::now() as u64 % 1_000);
        set_timeout(
            move || tick(live),
            Duration::from_millis(to_next_second + 5),
        );
    }

    fn now() -> chrono::DateTime<chrono::Utc> {
        DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }

    fn open(connection: Rc<Connection>) {
        close(&connection);
        let generation = connection.generation.get() + 1;
        connection.generation.set(generation);
        let Ok(source) = EventSource::new("/events") else {
            retry(connection, generation);
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
                    tell(&connection, Some(event));
                }
            })
        };
        let on_refetch = {
            let connection = connection.clone();
            Listener::new(move |_: Event| tell(&connection, None))
        };
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
                    retry(connection.clone(), generation);
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

    fn retry(connection: Rc<Connection>, generation: u64) {
        let failures = connection.failures.get() + 1;
        connection.failures.set(failures);
        let wait = Duration::from_secs(1 << failures.min(5)).min(MAX_BACKOFF);
        set_timeout(
            move || {
                if connection.generation.get() == generation {
                    open(connection);
                }
            },
            wait,
        );
    }

    fn tell(connection: &Connection, event: Option<LiveEvent>) {
        connection.live.pulse.update(|pulse| {
            *pulse = Pulse {
                seq: pulse.seq + 1,
                event,
            }
        });
    }
}
