pub use sea_orm_migration::prelude::*;

mod m20261122_000001_core;
mod m20261122_000002_sessions;
mod m20261122_000003_images;
mod m20261122_000004_outbox;
mod m20261123_000005_dietary_tags_json;
mod m20261123_000006_claim_life;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_core::Migration),
            Box::new(m20261122_000002_sessions::Migration),
            Box::new(m20261122_000003_images::Migration),
            Box::new(m20261122_000004_outbox::Migration),
            Box::new(m20261123_000005_dietary_tags_json::Migration),
            Box::new(m20261123_000006_claim_life::Migration),
        ]
    }
}

use sea_orm_migration::sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, sqlx};
use std::time::Duration;

/// Opens the database at `url` (`sqlite://…` or `postgres://…`), creating a SQLite file and its
/// folder when missing. SQLite runs in WAL mode with a busy timeout, so readers never block the
/// writer and concurrent writers wait for each other instead of failing.
pub async fn open(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    if DbBackend::Sqlite.is_prefix_of(url) {
        create_sqlite_parent_dir(url)?;
    }
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // A connection is pinged before use only after a second idle: one in steady use goes
        // straight to its query (the ping was a round trip of its own, two in every claim),
        // one that sat idle through a failover or a proxy's timeout is found dead and replaced.
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

fn create_sqlite_parent_dir(url: &str) -> Result<(), DbErr> {
    let path = url
        .trim_start_matches("sqlite:")
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(()); // in-memory
    }
    match std::path::Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display()))),
        _ => Ok(()),
    }
}

/// Runs raw statements in order, naming the one that failed.
async fn run(manager: &SchemaManager<'_>, steps: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in steps {
        db.execute_unprepared(sql)
            .await
            .map_err(|e| DbErr::Migration(format!("{sql}: {e}")))?;
    }
    Ok(())
}
