//! Session storage: Redis when configured (shared by every replica), otherwise the database,
//! so a restart logs nobody out either way.

use std::time::Duration;

use async_trait::async_trait;
use entity::session;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, SqlErr,
};
use tower_sessions::{
    Expiry, SessionManagerLayer,
    cookie::{Key, SameSite, time},
    session::{Id, Record},
    session_store::{self, ExpiredDeletion, SessionStore},
};
use tower_sessions_redis_store::{RedisStore, fred::clients::Pool as RedisPool};

use crate::config::Config;

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "foodbridge_session";
/// A session ends after this long without a request.
pub const INACTIVITY_LIMIT: time::Duration = time::Duration::days(7);

#[derive(Debug, Clone)]
pub enum Store {
    Database(DbStore),
    Redis(RedisStore<RedisPool>),
}

/// The session layer for every route, server functions included.
pub fn layer(
    store: Store,
    config: &Config,
) -> SessionManagerLayer<Store, tower_sessions::service::SignedCookie> {
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.production)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(INACTIVITY_LIMIT))
        // Config::validate guarantees the 64 bytes `Key::from` needs.
        .with_signed(Key::from(config.session_secret.as_bytes()))
}

#[async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Database(s) => s.create(record).await,
            Store::Redis(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Store::Database(s) => s.save(record).await,
            Store::Redis(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Database(s) => s.load(id).await,
            Store::Redis(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Database(s) => s.delete(id).await,
            Store::Redis(s) => s.delete(id).await,
        }
    }
}

/// Sessions in the `sessions` table, through SeaORM (SQLite or PostgreSQL).
#[derive(Debug, Clone)]
pub struct DbStore {
    db: DatabaseConnection,
}

impl DbStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    fn row(record: &Record) -> session_store::Result<session::ActiveModel> {
        Ok(session::ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(serde_json::to_string(record)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?),
            expires_at: Set(record.expiry_date.unix_timestamp()),
        })
    }

    /// Removes expired sessions every `period`, forever; run it on a background task.
    pub async fn delete_expired_every(self, period: Duration) {
        let mut ticks = tokio::time::interval(period);
        loop {
            ticks.tick().await;
            if let Err(e) = self.delete_expired().await {
                tracing::warn!(error = %e, "expired-session cleanup failed; retrying later");
            }
        }
    }
}

fn backend(e: DbErr) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl SessionStore for DbStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Session ids are 128 random bits, so a collision is next to impossible; still, never
        // let a new session overwrite another one.
        loop {
            match session::Entity::insert(Self::row(record)?)
                .exec(&self.db)
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(e) => return Err(backend(e)),
            }
        }
    }

    /// Only a session still stored (as Redis's `SET … XX`): one ended meanwhile (logged out by
    /// another request) stays ended, whatever a request that read it before writes back.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        session::Entity::update_many()
            .set(Self::row(record)?)
            .filter(session::Column::Id.eq(record.id.to_string()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(now_unix()))
            .one(&self.db)
            .await
            .map_err(backend)?;
        row.map(|row| {
            serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        session::Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now_unix()))
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
