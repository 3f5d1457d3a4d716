//! One at a time per key, within this process: a client's claims wait for each other here,
//! before they take a database connection.
//!
//! The database already serialises them (the claim locks the client's row, for the fair
//! share), but a claim waiting for that lock holds one of the pool's few connections (16 by
//! default) while it waits. One client sending many claims at once (a script, or taps
//! repeated on a slow phone) would hold them all, and everyone else's requests would wait
//! behind theirs, up to the pool's acquire timeout. Here they wait without a connection: at
//! most one connection a replica waits for a given client.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use tokio::sync::{Mutex as TurnLock, OwnedMutexGuard};

/// The keys that have a turn under way, each with whoever waits for it.
#[derive(Default)]
pub struct Turns {
    keys: Mutex<HashMap<i64, Arc<TurnLock<()>>>>,
}

impl Turns {
    /// Waits until no other turn of `key` is under way in this process; the turn lasts as long
    /// as what this returns. Turns of one key come in the order they were asked for.
    pub async fn take(&self, key: i64) -> Turn<'_> {
        let lock = self.keys().entry(key).or_default().clone();
        let held = lock.clone().lock_owned().await;
        Turn {
            turns: self,
            key,
            lock,
            held: Some(held),
        }
    }

    /// How many keys have a turn under way or waited for.
    #[cfg(test)]
    fn busy(&self) -> usize {
        self.keys().len()
    }

    fn keys(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<TurnLock<()>>>> {
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A turn of a key; the next one starts when it is dropped.
pub struct Turn<'a> {
    turns: &'a Turns,
    key: i64,
    lock: Arc<TurnLock<()>>,
    held: Option<OwnedMutexGuard<()>>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.held.take();
        let mut keys = self.turns.keys();
        // The map's reference and this one: nobody else holds the key or waits for it (any
        // other reference is taken under the same map lock).
        if Arc::strong_count(&self.lock) == 2 {
            keys.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn turns_of_one_key_wait_for_each_other_and_other_keys_do_not() {
        let turns = Arc::new(Turns::default());
        let first = turns.take(7).await;

        let waiting = tokio::spawn({
            let turns = turns.clone();
            async move {
                let _turn = turns.take(7).await;
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !waiting.is_finished(),
            "a second turn of 7 waits for the first"
        );

        let other = tokio::time::timeout(Duration::from_secs(1), turns.take(8)).await;
        assert!(other.is_ok(), "another key does not wait");
        drop(other);

        drop(first);
        tokio::time::timeout(Duration::from_secs(1), waiting)
            .await
            .expect("the second turn of 7 starts once the first ends")
            .unwrap();
        assert_eq!(turns.busy(), 0, "no key is kept once its turns are over");
    }
}
