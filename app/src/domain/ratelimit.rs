//! Limits on failed attempts: logins, per account and per client address, and registrations
//! refused because the email is taken (which would otherwise let anyone test which emails have
//! accounts), per client address. Counted in Redis when configured, so the limits hold across
//! every replica; in this process otherwise.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use tower_sessions_redis_store::fred::{
    clients::Pool as RedisPool, interfaces::KeysInterface, types::ExpireOptions,
};

use crate::domain::error::{DomainError, DomainResult};

/// Failures allowed on one account per window.
pub const ACCOUNT_LIMIT: u32 = 5;
/// Failures allowed from one address per window. Higher than per account: many people in
/// Cameroon share an address behind their mobile carrier's NAT.
pub const ADDRESS_LIMIT: u32 = 20;
/// Registrations refused for a taken email allowed from one address per window: a person
/// mistyping or forgetting an account needs a few; testing a list of emails needs many.
pub const TAKEN_EMAIL_LIMIT: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// One counter: what it counts and how many failures it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    pub key: String,
    pub limit: u32,
}

impl Counter {
    pub fn account(email: &str) -> Self {
        Counter {
            key: format!("login:account:{}", email.trim().to_lowercase()),
            limit: ACCOUNT_LIMIT,
        }
    }

    pub fn address(ip: &str) -> Self {
        Counter {
            key: format!("login:address:{ip}"),
            limit: ADDRESS_LIMIT,
        }
    }

    pub fn taken_emails(ip: &str) -> Self {
        Counter {
            key: format!("register:taken:{ip}"),
            limit: TAKEN_EMAIL_LIMIT,
        }
    }
}

#[derive(Clone)]
pub enum FailureLimiter {
    Local(Arc<Mutex<HashMap<String, (u32, Instant)>>>),
    Redis { pool: RedisPool, prefix: String },
}

impl FailureLimiter {
    pub fn local() -> Self {
        FailureLimiter::Local(Arc::default())
    }

    /// Keys are `{prefix}login:…` and `{prefix}register:…`, so several deployments (or test
    /// runs) can share one Redis.
    pub fn redis(pool: RedisPool, prefix: impl Into<String>) -> Self {
        FailureLimiter::Redis {
            pool,
            prefix: prefix.into(),
        }
    }

    /// Refuses when any counter has reached its limit, saying how long to wait.
    pub async fn check(&self, counters: &[Counter]) -> DomainResult<()> {
        let mut wait = Duration::ZERO;
        for counter in counters {
            let (failures, remaining) = self.read(&counter.key).await;
            if failures >= counter.limit {
                wait = wait.max(remaining);
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(DomainError::RateLimited {
                retry_after_secs: wait.as_secs().max(1),
            })
        }
    }

    pub async fn record_failure(&self, counters: &[Counter]) {
        for counter in counters {
            self.increment(&counter.key).await;
        }
    }

    /// Forgets the failures on `counter` (after a successful login).
    pub async fn reset(&self, counter: &Counter) {
        match self {
            FailureLimiter::Local(map) => {
                lock(map).remove(&counter.key);
            }
            FailureLimiter::Redis { pool, prefix } => {
                if let Err(e) = pool.del::<i64, _>(format!("{prefix}{}", counter.key)).await {
                    tracing::warn!(error = %e, "rate limit: Redis unavailable");
                }
            }
        }
    }

    /// Failures so far and the time left in the window.
    async fn read(&self, key: &str) -> (u32, Duration) {
        match self {
            FailureLimiter::Local(map) => match lock(map).get(key) {
                Some(&(count, started)) if started.elapsed() < WINDOW => {
                    (count, WINDOW - started.elapsed())
                }
                _ => (0, Duration::ZERO),
            },
            FailureLimiter::Redis { pool, prefix } => {
                let key = format!("{prefix}{key}");
                let read = async {
                    let count: Option<u32> = pool.get(&key).await?;
                    let ttl: i64 = pool.ttl(&key).await?;
                    Ok::<_, tower_sessions_redis_store::fred::error::Error>((
                        count.unwrap_or(0),
                        Duration::from_secs(ttl.max(0).unsigned_abs()),
                    ))
                };
                // Redis down: let logins through rather than lock everybody out; the failure
                // is logged and sessions, kept in the same Redis, fail loudly anyway.
                read.await.unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "rate limit: Redis unavailable");
                    (0, Duration::ZERO)
                })
            }
        }
    }

    async fn increment(&self, key: &str) {
        match self {
            FailureLimiter::Local(map) => {
                let mut map = lock(map);
                // Forget windows that ended, so the map stays small.
                if map.len() > 10_000 {
                    map.retain(|_, (_, started)| started.elapsed() < WINDOW);
                }
                let entry = map.entry(key.to_owned()).or_insert((0, Instant::now()));
                if entry.1.elapsed() >= WINDOW {
                    *entry = (0, Instant::now());
                }
                entry.0 += 1;
            }
            FailureLimiter::Redis { pool, prefix } => {
                let key = format!("{prefix}{key}");
                let increment = async {
                    pool.incr::<i64, _>(&key).await?;
                    // The window starts at the first failure: NX never pushes it back.
                    pool.expire::<i64, _>(&key, WINDOW.as_secs() as i64, Some(ExpireOptions::NX))
                        .await
                };
                if let Err(e) = increment.await {
                    tracing::warn!(error = %e, "rate limit: Redis unavailable");
                }
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding this lock cannot leave the counts inconsistent.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sixth_attempt_on_an_account_waits() {
        let limiter = FailureLimiter::local();
        let counters = [
            Counter::account("Amina@example.cm"),
            Counter::address("10.0.0.1"),
        ];
        for _ in 0..ACCOUNT_LIMIT {
            assert_eq!(limiter.check(&counters).await, Ok(()));
            limiter.record_failure(&counters).await;
        }
        match limiter.check(&counters).await {
            Err(DomainError::RateLimited { retry_after_secs }) => {
                assert!((1..=900).contains(&retry_after_secs))
            }
            other => panic!("expected a limit, got {other:?}"),
        }
        // The same account in another case is the same account.
        assert!(
            limiter
                .check(&[Counter::account("amina@EXAMPLE.cm")])
                .await
                .is_err()
        );
        // Another account from the same address is still allowed.
        let other = [
            Counter::account("paul@example.cm"),
            Counter::address("10.0.0.1"),
        ];
        assert_eq!(limiter.check(&other).await, Ok(()));
    }

    #[tokio::test]
    async fn a_successful_login_clears_the_account() {
        let limiter = FailureLimiter::local();
        let account = Counter::account("amina@example.cm");
        for _ in 0..ACCOUNT_LIMIT {
            limiter.record_failure(std::slice::from_ref(&account)).await;
        }
        limiter.reset(&account).await;
        assert_eq!(limiter.check(&[account]).await, Ok(()));
    }
}
