//! A fresh, migrated database for each test, on SQLite (a temporary file) or on the real
//! PostgreSQL server (`TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`).
//! PostgreSQL databases are named `foodbridge_test_…` and dropped when the [`TestDb`] is.

use std::{
    fmt,
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

mod rows;
pub mod smtp;

pub use rows::plain_listing;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

pub struct TestDb {
    pub db: DatabaseConnection,
    pub backend: Backend,
    /// The URL this database can be opened at again (by a second server, say).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    /// Held so the folder, and the database file in it, live as long as the test needs them.
    Sqlite {
        _dir: tempfile::TempDir,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
}

/// The server URL the PostgreSQL tests use.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// A name no other test or test run uses at the same time.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    /// An empty database on `backend`, without migrations.
    pub async fn empty(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
                let db = migration::open(&url, 8).await.expect("open SQLite");
                TestDb {
                    db,
                    backend,
                    url,
                    cleanup: Cleanup::Sqlite { _dir: dir },
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = unique_name("foodbridge_test");
                let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin_url} is needed for this test: {e}")
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let url = replace_database(&admin_url, &name);
                let db = migration::open(&url, 16)
                    .await
                    .expect("open PostgreSQL test database");
                TestDb {
                    db,
                    backend,
                    url,
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }

    /// A database on `backend` with every migration applied.
    pub async fn new(backend: Backend) -> Self {
        let test_db = Self::empty(backend).await;
        Migrator::up(&test_db.db, None)
            .await
            .expect("migrations apply");
        test_db
    }

    /// One migrated database on each backend, for tests that must hold on both.
    pub async fn each() -> [Self; 2] {
        [
            Self::new(Backend::Sqlite).await,
            Self::new(Backend::Postgres).await,
        ]
    }
}

/// Points a PostgreSQL URL at another database, keeping host, user and options.
pub fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let admin_url = admin_url.clone();
            // Drop runs inside the test's runtime, which cannot be blocked on: use a thread
            // with a runtime of its own.
            let dropped = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                rt.block_on(async {
                    let admin = Database::connect(&admin_url)
                        .await
                        .map_err(std::io::Error::other)?;
                    admin
                        .execute_unprepared(&sql)
                        .await
                        .map_err(std::io::Error::other)?;
                    admin.close().await.map_err(std::io::Error::other)
                })
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                eprintln!("warning: could not drop test database {name}");
            }
        }
    }
}
