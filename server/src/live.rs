//! Live updates. The domain's events (`EventSink`) reach every replica, through a Redis stream
//! when `REDIS_URL` is set and in this process otherwise, and each replica streams them to its
//! open pages as Server-Sent Events at `GET /events`.
//!
//! Every event has an id (`{ms}-{seq}`: the Redis stream's own, or this process's) that the
//! browser sends back as `Last-Event-ID` when it reconnects, to this replica or another one.
//! The events after it are replayed from the replica's recent ones; when it cannot know what a
//! page missed (an id it does not hold, a replica that fell behind, Redis that was out of
//! reach), it tells the page to `refetch` instead. No page stays stale after a reconnect.

use std::{
    collections::VecDeque,
    convert::Infallible,
    fmt,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use app::{
    auth,
    domain::{
        browse_cache::{BrowseCache, Upstream},
        events::{DomainEvent, EventSink},
    },
};
use axum::{
    Extension,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::{Stream, StreamExt, stream};
use tokio::sync::{broadcast, watch};
use tower_sessions::Session;
use tower_sessions_redis_store::fred::{
    clients::Client as RedisClient,
    interfaces::{ClientLike, EventInterface, StreamsInterface},
    prelude::Pool as RedisPool,
    types::{Value, config::Options, streams::XReadResponse},
};

/// How many recent events a replica keeps for pages that reconnect (and the Redis stream's
/// length, roughly).
const RECENT: usize = 1024;
/// How long the browser waits before reconnecting a stream that dropped.
const RETRY: Duration = Duration::from_secs(2);
/// A comment on an idle stream this often keeps proxies from closing it.
const PING: Duration = Duration::from_secs(15);

/// An event's place in the order every replica sees: `{ms}-{seq}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventId(u64, u64);

impl EventId {
    pub fn parse(text: &str) -> Option<Self> {
        let (ms, seq) = text.trim().split_once('-')?;
        Some(EventId(ms.parse().ok()?, seq.parse().ok()?))
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}-{}", self.0, self.1)
    }
}

#[derive(Debug, Clone)]
enum Message {
    Event(EventId, DomainEvent),
    /// What the pages hold may be out of date: they fetch it again.
    Refetch,
}

/// The events this replica has received, for its open streams.
#[derive(Clone)]
pub struct Hub(Arc<HubInner>);

struct HubInner {
    sender: broadcast::Sender<Message>,
    /// Out of date with every event, and whenever pages are told to refetch.
    cache: Arc<BrowseCache>,
    recent: Mutex<VecDeque<(EventId, DomainEvent)>>,
    /// This process's own ids start at its start time, so no id of an earlier run is mistaken
    /// for one of this run.
    epoch: u64,
    closing: watch::Sender<bool>,
}

impl Hub {
    pub fn new(cache: Arc<BrowseCache>) -> Self {
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Hub(Arc::new(HubInner {
            sender: broadcast::channel(RECENT).0,
            cache,
            recent: Mutex::new(VecDeque::with_capacity(RECENT)),
            epoch,
            closing: watch::channel(false).0,
        }))
    }

    /// Passes on an event that has its id (from the Redis stream); one already seen is
    /// ignored.
    fn deliver(&self, id: EventId, event: DomainEvent) {
        let mut recent = lock(&self.0.recent);
        if recent.back().is_some_and(|(last, _)| *last >= id) {
            return;
        }
        self.keep(&mut recent, id, event);
    }

    /// Gives an event of this process the next id and passes it on.
    fn deliver_local(&self, event: DomainEvent) {
        let mut recent = lock(&self.0.recent);
        let id = match recent.back() {
            Some((EventId(epoch, seq), _)) if *epoch == self.0.epoch => EventId(*epoch, seq + 1),
            _ => EventId(self.0.epoch, 1),
        };
        self.keep(&mut recent, id, event);
    }

    fn keep(&self, recent: &mut VecDeque<(EventId, DomainEvent)>, id: EventId, event: DomainEvent) {
        // Before the event counts as received: a reader that sees it received (`newest`)
        // sees the cache's new generation too.
        self.0.cache.invalidate();
        if recent.len() == RECENT {
            recent.pop_front();
        }
        recent.push_back((id, event.clone()));
        // Nobody listening is fine.
        let _ = self.0.sender.send(Message::Event(id, event));
    }

    /// Tells every open page to fetch what it shows again.
    fn refetch(&self) {
        self.0.cache.invalidate();
        let _ = self.0.sender.send(Message::Refetch);
    }

    /// Whether this replica has received the stream's event `id` (true when the stream is
    /// empty, false for an id it cannot read).
    fn has_received(&self, id: Option<&str>) -> bool {
        match id {
            None => true,
            Some(id) => EventId::parse(id).is_some_and(|id| self.newest() >= Some(id)),
        }
    }

    /// The id of the newest event this replica holds.
    fn newest(&self) -> Option<EventId> {
        lock(&self.0.recent).back().map(|(id, _)| *id)
    }

    /// The events after `id`, when this replica still holds `id`.
    fn after(&self, id: EventId) -> Option<Vec<Message>> {
        let recent = lock(&self.0.recent);
        let at = recent.iter().position(|(seen, _)| *seen == id)?;
        Some(
            recent
                .iter()
                .skip(at + 1)
                .map(|(id, event)| Message::Event(*id, event.clone()))
                .collect(),
        )
    }

    /// How many event streams are open on this replica (each holds one receiver).
    pub fn open_streams(&self) -> usize {
        self.0.sender.receiver_count()
    }

    /// Ends every open stream (at shutdown), so browsers reconnect to another replica.
    pub fn close(&self) {
        self.0.closing.send_replace(true);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The embedded default: events go straight to this process's pages.
pub struct LocalSink(pub Hub);

#[async_trait::async_trait]
impl EventSink for LocalSink {
    async fn publish(&self, event: DomainEvent) {
        self.0.deliver_local(event);
    }
}

/// With Redis: events are appended to one stream that every replica reads; the same stream
/// tells the browse cache whether this replica has read everything written so far.
pub struct RedisStream {
    pool: RedisPool,
    key: String,
    hub: Hub,
}

#[async_trait::async_trait]
impl EventSink for RedisStream {
    async fn publish(&self, event: DomainEvent) {
        let Ok(json) = serde_json::to_string(&event) else {
            return;
        };
        let added: Result<String, _> = self
            .pool
            .xadd(
                &self.key,
                false,
                ("MAXLEN", "~", RECENT as i64),
                "*",
                ("event", json),
            )
            .await;
        if let Err(e) = added {
            // The other replicas learn nothing of it: their pages catch up at their next
            // refetch, their caches within `MAX_AGE`; this replica's at once.
            tracing::error!(error = %e, "live events: cannot write to Redis");
            self.hub.refetch();
        }
    }
}

#[async_trait::async_trait]
impl Upstream for RedisStream {
    async fn caught_up(&self) -> bool {
        let newest: Result<Vec<(String, std::collections::HashMap<String, String>)>, _> = self
            .pool
            .xrevrange_values(&self.key, "+", "-", Some(1))
            .await;
        newest.is_ok_and(|entries| {
            self.hub
                .has_received(entries.first().map(|(id, _)| id.as_str()))
        })
    }
}

/// Reads the recent events of every replica from the Redis stream `key` into `hub`, then
/// starts reading on from them, and answers the stream this replica writes its own events to.
/// The recent ones are in `hub` before this returns, so a page that reconnects to a replica
/// that has just started gets what it missed, not a refetch. Reading uses a connection of its
/// own: a blocked read must not hold up the sessions' commands.
pub async fn redis(
    pool: &RedisPool,
    key: String,
    hub: Hub,
) -> Result<Arc<RedisStream>, tower_sessions_redis_store::fred::error::Error> {
    let reader = pool.next().clone_new();
    reader.init().await?;
    // Start from the newest event, so a replica that starts (or restarts) can replay the
    // recent ones to pages that reconnect to it; then read on from it. Never from `$` ("what
    // comes after this read begins"): an event written between two reads would be lost.
    let mut recent: Vec<(String, std::collections::HashMap<String, String>)> = reader
        .xrevrange_values(&key, "+", "-", Some(RECENT as u64))
        .await?;
    recent.reverse();
    let last = recent
        .last()
        .map_or_else(|| "0-0".to_owned(), |(id, _)| id.clone());
    for (id, fields) in recent {
        pass_on(&hub, &id, &fields);
    }
    // fred reconnects (and retries a blocked read) by itself: whatever was published while the
    // connection was down may never arrive, so the pages fetch afresh.
    let refetch = hub.clone();
    reader.on_reconnect(move |_| {
        tracing::info!("live events: Redis connection back; pages refetch");
        refetch.refetch();
        async { Ok(()) }
    });
    tokio::spawn(read(reader, key.clone(), last, hub.clone()));
    Ok(Arc::new(RedisStream {
        pool: pool.clone(),
        key,
        hub,
    }))
}

type Entries = XReadResponse<String, String, String, String>;

/// Reads the stream `key` on from the event `last`, for as long as the replica runs.
async fn read(client: RedisClient, key: String, mut last: String, hub: Hub) {
    // Longer than the read blocks for (every other command gives up after 2 s).
    let blocking_read = Options {
        timeout: Some(Duration::from_secs(10)),
        ..Options::default()
    };
    let mut failing = false;
    loop {
        // A read that waited 5 s for nothing answers nil: no entries (not an error).
        let read = client
            .with_options(&blocking_read)
            .xread::<Value, _, _>(Some(100), Some(5_000), &key, last.as_str())
            .await
            .and_then(|value| match value {
                Value::Null => Ok(Entries::default()),
                value => value.into_xread_response(),
            });
        match read {
            Ok(mut streams) => {
                if failing {
                    // Events may have been missed while Redis was out of reach.
                    tracing::info!("live events: reading Redis again");
                    hub.refetch();
                    failing = false;
                }
                for (id, fields) in streams.remove(&key).unwrap_or_default() {
                    pass_on(&hub, &id, &fields);
                    last = id;
                }
            }
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "live events: cannot read Redis; retrying");
                }
                failing = true;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

fn pass_on(hub: &Hub, id: &str, fields: &std::collections::HashMap<String, String>) {
    let event = fields
        .get("event")
        .and_then(|json| serde_json::from_str::<DomainEvent>(json).ok());
    match (EventId::parse(id), event) {
        (Some(id), Some(event)) => hub.deliver(id, event),
        _ => tracing::warn!(id, "live events: an entry that is not an event"),
    }
}

/// `GET /events`: the listing events as Server-Sent Events, for anyone; the viewer's own ones
/// marked `mine`.
pub async fn stream(
    Extension(hub): Extension<Hub>,
    session: Session,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let viewer = auth::actor_in(&session)
        .await
        .ok()
        .flatten()
        .map(|actor| actor.user_id);
    // Subscribe before looking back, so nothing falls between the two.
    let receiver = hub.0.sender.subscribe();
    let closing = hub.0.closing.subscribe();
    // A page that reconnects gets what it missed, or is told to refetch when that is unknown.
    let (queue, sent) = match headers.get("last-event-id") {
        None => (VecDeque::new(), hub.newest()),
        Some(last) => {
            let last = last.to_str().ok().and_then(EventId::parse);
            match last.and_then(|id| Some((id, hub.after(id)?))) {
                Some((id, missed)) => (missed.into(), Some(id)),
                None => (VecDeque::from([Message::Refetch]), hub.newest()),
            }
        }
    };
    // Every stream starts at a position, even before its first event, so that a page cut off
    // before any event arrived still says where it was when it reconnects (`0-0`: before
    // anything this replica holds, which means "refetch").
    tracing::debug!(
        ?viewer,
        ?sent,
        queued = queue.len(),
        "live events: a stream opens"
    );
    let opening = Event::default()
        .retry(RETRY)
        .id(sent.unwrap_or(EventId(0, 0)).to_string())
        .comment("FoodBridge live events");
    let state = Viewer {
        queue,
        receiver,
        closing,
        viewer,
        sent,
    };
    let events = stream::once(async move { Ok(opening) })
        .chain(stream::unfold(state, |mut state| async move {
            state.next().await.map(|event| (Ok(event), state))
        }));
    Sse::new(events).keep_alive(KeepAlive::new().interval(PING))
}

/// One open stream.
struct Viewer {
    queue: VecDeque<Message>,
    receiver: broadcast::Receiver<Message>,
    closing: watch::Receiver<bool>,
    viewer: Option<i64>,
    /// The last event sent: anything up to it is not sent twice.
    sent: Option<EventId>,
}

impl Viewer {
    async fn next(&mut self) -> Option<Event> {
        loop {
            if let Some(message) = self.queue.pop_front() {
                if let Some(event) = self.render(message) {
                    return Some(event);
                }
                continue;
            }
            tokio::select! {
                _ = self.closing.wait_for(|closing| *closing) => return None,
                received = self.receiver.recv() => match received {
                    Ok(message) => self.queue.push_back(message),
                    // This page fell too far behind to replay: it fetches afresh.
                    Err(broadcast::error::RecvError::Lagged(_)) => self.queue.push_back(Message::Refetch),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
            }
        }
    }

    fn render(&mut self, message: Message) -> Option<Event> {
        match message {
            Message::Refetch => Some(Event::default().event("refetch").data("{}")),
            Message::Event(id, event) => {
                if self.sent.is_some_and(|sent| id <= sent) {
                    return None;
                }
                self.sent = Some(id);
                let data = serde_json::to_string(&event.seen_by(self.viewer)).ok()?;
                tracing::debug!(viewer = ?self.viewer, %id, data, "live events: sent");
                Some(
                    Event::default()
                        .event("listing")
                        .id(id.to_string())
                        .data(data),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posted(listing_id: i64) -> DomainEvent {
        DomainEvent::ListingPosted {
            listing_id,
            business_id: 1,
        }
    }

    #[test]
    fn ids_order_as_the_stream_does() {
        assert!(EventId::parse("1700000000000-2") > EventId::parse("1700000000000-1"));
        assert!(EventId::parse("1700000000001-0") > EventId::parse("1700000000000-9"));
        assert_eq!(
            EventId::parse("12-3").map(|id| id.to_string()).as_deref(),
            Some("12-3")
        );
        for junk in ["", "12", "a-b", "-1"] {
            assert_eq!(EventId::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn a_page_that_reconnects_gets_what_it_missed_or_is_told_to_refetch() {
        let hub = Hub::new(Default::default());
        for id in 1..=3 {
            hub.deliver_local(posted(id));
        }
        let first = EventId(hub.0.epoch, 1);
        let missed = hub.after(first).unwrap();
        assert_eq!(missed.len(), 2);
        assert!(matches!(
            &missed[0],
            Message::Event(_, DomainEvent::ListingPosted { listing_id: 2, .. })
        ));
        // An id of another run, or one pushed out of the recent events: refetch.
        assert!(hub.after(EventId(1, 1)).is_none());
        for id in 4..=(RECENT as i64 + 4) {
            hub.deliver_local(posted(id));
        }
        assert!(hub.after(first).is_none());
    }

    #[test]
    fn an_event_already_seen_is_passed_on_once() {
        let hub = Hub::new(Default::default());
        let mut receiver = hub.0.sender.subscribe();
        hub.deliver(EventId(5, 0), posted(1));
        hub.deliver(EventId(5, 0), posted(1));
        hub.deliver(EventId(4, 9), posted(2));
        assert!(receiver.try_recv().is_ok());
        assert!(receiver.try_recv().is_err());
    }

    #[test]
    fn a_replica_knows_whether_it_has_received_the_stream_s_newest_event() {
        let hub = Hub::new(Default::default());
        assert!(hub.has_received(None), "an empty stream");
        assert!(!hub.has_received(Some("5-0")));
        hub.deliver(EventId(5, 0), posted(1));
        assert!(hub.has_received(Some("5-0")));
        assert!(hub.has_received(Some("4-7")));
        assert!(!hub.has_received(Some("5-1")));
        assert!(!hub.has_received(Some("not an id")));
    }
}
