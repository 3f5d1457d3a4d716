//! What happened, reported by the domain through one small interface. Today the embedded
//! default broadcasts in-process; live updates across replicas (Redis pub/sub, pushed to
//! browsers) plug in behind the same trait.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// Ids only: an event never carries private data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainEvent {
    ListingPosted {
        listing_id: i64,
        business_id: i64,
    },
    ListingUpdated {
        listing_id: i64,
        business_id: i64,
    },
    ListingWithdrawn {
        listing_id: i64,
        business_id: i64,
    },
    ListingClaimed {
        listing_id: i64,
        business_id: i64,
        client_id: i64,
    },
}

pub trait EventSink: Send + Sync {
    /// Called after the change is committed; never fails the change.
    fn publish(&self, event: DomainEvent);
}

/// In-process broadcast (the embedded default).
#[derive(Clone)]
pub struct LocalEvents {
    sender: broadcast::Sender<DomainEvent>,
}

impl LocalEvents {
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<DomainEvent> {
        self.sender.subscribe()
    }
}

impl Default for LocalEvents {
    fn default() -> Self {
        Self::new()
    }
}

impl EventSink for LocalEvents {
    fn publish(&self, event: DomainEvent) {
        // No subscriber is not an error: nobody is watching.
        let _ = self.sender.send(event);
    }
}

/// Keeps every event, for tests.
#[derive(Clone, Default)]
pub struct RecordedEvents(Arc<Mutex<Vec<DomainEvent>>>);

impl RecordedEvents {
    pub fn take(&self) -> Vec<DomainEvent> {
        std::mem::take(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl EventSink for RecordedEvents {
    fn publish(&self, event: DomainEvent) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }
}
