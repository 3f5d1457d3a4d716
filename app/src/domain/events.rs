//! What happened, reported by the domain through one small interface, after the change is
//! committed. The server fans the events out to every replica and streams them to open pages
//! (`server::live`); what a page may learn of one is [`DomainEvent::seen_by`].

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::dto::{ListingState, LiveChange, LiveEvent};

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
    /// A claim was given back, or not collected, before the deadline: the listing is
    /// available again, and the clients `waiting` for it are told.
    ListingReopened {
        listing_id: i64,
        business_id: i64,
        client_id: i64,
        waiting: Vec<i64>,
    },
    /// What became of a claim was recorded; the listing stays claimed.
    ClaimSettled {
        listing_id: i64,
        business_id: i64,
        client_id: i64,
    },
}

impl DomainEvent {
    /// The event as the page of `viewer` (a user id, or `None` for a visitor) sees it: the
    /// listing and its new state for anyone; whether it is theirs for its business and its
    /// claimant only.
    pub fn seen_by(&self, viewer: Option<i64>) -> LiveEvent {
        let (listing, change, state, business_id, client_id) = match self {
            DomainEvent::ListingPosted {
                listing_id,
                business_id,
            } => (
                listing_id,
                LiveChange::Posted,
                ListingState::Available,
                business_id,
                None,
            ),
            DomainEvent::ListingUpdated {
                listing_id,
                business_id,
            } => (
                listing_id,
                LiveChange::Updated,
                ListingState::Available,
                business_id,
                None,
            ),
            DomainEvent::ListingWithdrawn {
                listing_id,
                business_id,
            } => (
                listing_id,
                LiveChange::Withdrawn,
                ListingState::Withdrawn,
                business_id,
                None,
            ),
            DomainEvent::ListingClaimed {
                listing_id,
                business_id,
                client_id,
            } => (
                listing_id,
                LiveChange::Claimed,
                ListingState::Claimed,
                business_id,
                Some(client_id),
            ),
            DomainEvent::ListingReopened {
                listing_id,
                business_id,
                client_id,
                ..
            } => (
                listing_id,
                LiveChange::Reopened,
                ListingState::Available,
                business_id,
                Some(client_id),
            ),
            DomainEvent::ClaimSettled {
                listing_id,
                business_id,
                client_id,
            } => (
                listing_id,
                LiveChange::Settled,
                ListingState::Claimed,
                business_id,
                Some(client_id),
            ),
        };
        let waited = match self {
            DomainEvent::ListingReopened { waiting, .. } => {
                viewer.is_some_and(|v| waiting.contains(&v))
            }
            _ => false,
        };
        LiveEvent {
            listing: *listing,
            change,
            state,
            mine: viewer.is_some_and(|v| v == *business_id || Some(&v) == client_id),
            waited,
        }
    }
}

#[async_trait::async_trait]
pub trait EventSink: Send + Sync {
    /// Called after the change is committed and before it is answered, so whoever hears the
    /// answer can count on every replica learning of it; never fails the change.
    async fn publish(&self, event: DomainEvent);
}

/// Keeps every event, for tests.
#[derive(Clone, Default)]
pub struct RecordedEvents(Arc<Mutex<Vec<DomainEvent>>>);

impl RecordedEvents {
    pub fn take(&self) -> Vec<DomainEvent> {
        std::mem::take(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait::async_trait]
impl EventSink for RecordedEvents {
    async fn publish(&self, event: DomainEvent) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_the_business_and_the_claimant_s_own_and_nobody_else_s() {
        let claimed = DomainEvent::ListingClaimed {
            listing_id: 7,
            business_id: 1,
            client_id: 2,
        };
        let public = claimed.seen_by(None);
        assert_eq!(
            public,
            LiveEvent {
                listing: 7,
                change: LiveChange::Claimed,
                state: ListingState::Claimed,
                mine: false,
                waited: false,
            }
        );
        assert!(claimed.seen_by(Some(1)).mine);
        assert!(claimed.seen_by(Some(2)).mine);
        assert_eq!(claimed.seen_by(Some(3)), public);
        // Ids and states only: nothing else reaches the wire.
        assert_eq!(
            serde_json::to_string(&public).unwrap(),
            r#"{"listing":7,"change":"claimed","state":"claimed","mine":false}"#
        );
    }
}
