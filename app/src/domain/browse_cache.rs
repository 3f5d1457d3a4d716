//! A replica's cache of browse pages (per filter, sort and cursor), so the busiest page of the
//! site does not query the database for each visitor.
//!
//! What it must never do is offer a claimed, withdrawn or expired listing as claimable once
//! the change has been answered, on any replica. So:
//! - every listing event this replica receives (its own and every other replica's, through the
//!   live-events stream) moves the cache's generation on, and a page is served only in the
//!   generation it was read in (read *before* its query: a change during the query makes
//!   the page old at once);
//! - with several replicas, a writer answers only once its event is written to the shared
//!   stream, and a reader first asks the stream ([`Upstream`]) whether this replica has
//!   received everything written so far; when it has not, or cannot tell, the page comes
//!   from the database. Readers share that question: one asked after they all arrived
//!   answers every reader waiting for it ([`Coalesced`]);
//! - a page holding a listing past its deadline is read again, and none is kept longer than
//!   [`MAX_AGE`] (a bound on what an event lost to a Redis failure could leave behind).

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use futures_util::{
    FutureExt,
    future::{BoxFuture, Shared},
};
use sea_orm::ConnectionTrait;

use crate::{
    domain::{
        browse::{self, BrowseQuery},
        error::DomainResult,
    },
    dto::{ListingCard, Page},
};

/// The longest a page is served from the cache.
pub const MAX_AGE: Duration = Duration::from_secs(10);
/// Pages kept at most (searches make the keys unbounded); past it the cache starts afresh.
const MAX_PAGES: usize = 512;

/// The shared event stream, as a reader of the cache sees it.
#[async_trait]
pub trait Upstream: Send + Sync {
    /// Whether this replica has received every event written to the stream so far; `false`
    /// when that cannot be known (the stream is out of reach).
    async fn caught_up(&self) -> bool;
}

#[derive(Default)]
pub struct BrowseCache {
    generation: AtomicU64,
    pages: Mutex<HashMap<(BrowseQuery, u64), Cached>>,
    upstream: OnceLock<Coalesced>,
}

struct Cached {
    generation: u64,
    read_at: Instant,
    page: Page<ListingCard>,
}

impl BrowseCache {
    /// Checks `upstream` before serving a cached page (a replica of several).
    pub fn follow(&self, upstream: Arc<dyn Upstream>) {
        if self.upstream.set(Coalesced::new(upstream)).is_err() {
            tracing::warn!("the browse cache already follows an event stream");
        }
    }

    /// Every page cached until now may be out of date: a listing changed, or this replica
    /// may have missed events.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// [`browse::browse`], from the cache when it holds the page and the page is still true.
    pub async fn browse(
        &self,
        db: &impl ConnectionTrait,
        query: &BrowseQuery,
        now: DateTime<Utc>,
        page_size: u64,
    ) -> DomainResult<Page<ListingCard>> {
        if let Some(upstream) = self.upstream.get()
            && !upstream.caught_up().await
        {
            return browse::browse(db, query, now, page_size).await;
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let key = (query.clone(), page_size);
        if let Some(page) = self.cached(&key, generation, now) {
            metrics::counter!("foodbridge_browse_cache_total", "result" => "hit").increment(1);
            return Ok(page);
        }
        metrics::counter!("foodbridge_browse_cache_total", "result" => "miss").increment(1);
        let page = browse::browse(db, query, now, page_size).await?;
        self.keep(key, generation, page.clone());
        Ok(page)
    }

    fn cached(
        &self,
        key: &(BrowseQuery, u64),
        generation: u64,
        now: DateTime<Utc>,
    ) -> Option<Page<ListingCard>> {
        let pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let cached = pages.get(key)?;
        let fresh = cached.generation == generation
            && cached.read_at.elapsed() < MAX_AGE
            && cached
                .page
                .items
                .iter()
                .all(|card| card.available_until > now);
        fresh.then(|| Page {
            items: cached
                .page
                .items
                .iter()
                .map(|card| ListingCard {
                    minutes_left: browse::minutes_left(card.available_until, now),
                    ..card.clone()
                })
                .collect(),
            next: cached.page.next.clone(),
        })
    }

    fn keep(&self, key: (BrowseQuery, u64), generation: u64, page: Page<ListingCard>) {
        let mut pages = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.generation.load(Ordering::SeqCst);
        if generation != current {
            return;
        }
        pages.retain(|_, cached| cached.generation == current);
        if pages.len() >= MAX_PAGES {
            pages.clear();
        }
        pages.insert(
            key,
            Cached {
                generation,
                read_at: Instant::now(),
                page,
            },
        );
    }
}

/// One question to the stream at a time, shared by every reader that arrived before it was
/// asked: under load, one round trip to Redis answers many pages instead of one each.
///
/// A reader never takes the answer of a question asked before it arrived (that answer may
/// predate an event written since): it joins the next question, which is asked once the one
/// under way has its answer.
struct Coalesced {
    upstream: Arc<dyn Upstream>,
    next: Mutex<Option<Question>>,
}

/// A question to the stream, asked or waiting to be.
struct Question {
    answer: Shared<BoxFuture<'static, bool>>,
    asked: Arc<AtomicBool>,
}

impl Coalesced {
    fn new(upstream: Arc<dyn Upstream>) -> Self {
        Coalesced {
            upstream,
            next: Mutex::new(None),
        }
    }

    async fn caught_up(&self) -> bool {
        let answer = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            match next.as_ref() {
                Some(question) if !question.asked.load(Ordering::SeqCst) => question.answer.clone(),
                _ => {
                    let under_way = next.take().map(|question| question.answer);
                    let asked = Arc::new(AtomicBool::new(false));
                    let upstream = self.upstream.clone();
                    let answer = {
                        let asked = asked.clone();
                        async move {
                            if let Some(under_way) = under_way {
                                under_way.await;
                            }
                            asked.store(true, Ordering::SeqCst);
                            upstream.caught_up().await
                        }
                        .boxed()
                        .shared()
                    };
                    *next = Some(Question {
                        answer: answer.clone(),
                        asked,
                    });
                    answer
                }
            }
        };
        answer.await
    }
}
