//! The schema, on SQLite and on the real PostgreSQL.

use migration::{Migrator, MigratorTrait};
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use testkit::{Backend, TestDb};

const BUSINESS: &str = "INSERT INTO users (role, email, phone, password_hash, display_name, pickup_location, language, created_at) \
     VALUES ('business', 'bakery@example.cm', '+237677123456', 'x', 'Boulangerie', 'Rue 1, Douala', 'fr', '2026-11-22T10:00:00+00:00')";
const CLIENT: &str = "INSERT INTO users (role, email, phone, password_hash, display_name, language, created_at) \
     VALUES ('client', 'client@example.cm', '+237699000000', 'x', 'Amina', 'en', '2026-11-22T10:00:00+00:00')";

fn listing(status: &str, quantity: &str) -> String {
    format!(
        "INSERT INTO listings (business_id, item_name, quantity, unit, category, dietary_tags, description, available_until, status, created_at, updated_at) \
         VALUES (1, 'Bread', {quantity}, 'loaves', 'bakery', '[]', 'Fresh today', '2026-11-23T10:00:00+00:00', '{status}', '2026-11-22T10:00:00+00:00', '2026-11-22T10:00:00+00:00')"
    )
}

const CLAIM: &str = "INSERT INTO claims (listing_id, client_id, claimed_at) VALUES (1, 2, '2026-11-22T11:00:00+00:00')";

async fn run(db: &DatabaseConnection, sql: &str) -> Result<(), DbErr> {
    db.execute_unprepared(sql).await.map(|_| ())
}

/// Asserts that `sql` is refused, and by the constraint named (per backend), not by accident.
async fn refused(t: &TestDb, sql: &str, sqlite: &str, postgres: &str) {
    let needle = match t.backend {
        Backend::Sqlite => sqlite,
        Backend::Postgres => postgres,
    };
    match run(&t.db, sql).await {
        Ok(()) => panic!("{}: accepted: {sql}", t.backend),
        Err(e) => assert!(
            e.to_string().contains(needle),
            "{}: refused by {e}, not by {needle}: {sql}",
            t.backend
        ),
    }
}

async fn seeded(backend: Backend) -> TestDb {
    let t = TestDb::new(backend).await;
    for sql in [BUSINESS, CLIENT, &listing("available", "12")] {
        run(&t.db, sql)
            .await
            .unwrap_or_else(|e| panic!("{backend}: seed {sql}: {e}"));
    }
    t
}

async fn on_both<F, Fut>(check: F)
where
    F: Fn(Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    check(Backend::Sqlite).await;
    check(Backend::Postgres).await;
}

#[tokio::test]
async fn every_migration_applies_and_rolls_back() {
    on_both(|backend| async move {
        let t = TestDb::empty(backend).await;
        Migrator::up(&t.db, None)
            .await
            .unwrap_or_else(|e| panic!("{backend}: up: {e}"));
        assert!(
            Migrator::get_pending_migrations(&t.db)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        Migrator::down(&t.db, None)
            .await
            .unwrap_or_else(|e| panic!("{backend}: down: {e}"));
        Migrator::up(&t.db, None)
            .await
            .unwrap_or_else(|e| panic!("{backend}: up again: {e}"));
        for sql in [BUSINESS, CLIENT, &listing("available", "12"), CLAIM] {
            run(&t.db, sql)
                .await
                .unwrap_or_else(|e| panic!("{backend}: after re-applying: {e}"));
        }
    })
    .await;
}

#[tokio::test]
async fn an_email_is_registered_once_and_stored_lower_case() {
    on_both(|backend| async move {
        let t = seeded(backend).await;
        refused(
            &t,
            BUSINESS,
            "UNIQUE constraint failed: users.email",
            "users_email_key",
        )
        .await;
        let upper = CLIENT.replace("client@example.cm", "Other@Example.cm");
        refused(&t, &upper, "email = lower(email)", "users_email_check").await;
    })
    .await;
}

#[tokio::test]
async fn a_listing_is_claimed_at_most_once() {
    on_both(|backend| async move {
        let t = seeded(backend).await;
        run(&t.db, CLAIM)
            .await
            .unwrap_or_else(|e| panic!("{backend}: first claim: {e}"));
        refused(
            &t,
            CLAIM,
            "UNIQUE constraint failed: claims.listing_id, claims.round",
            "idx_claims_listing_round",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn claims_can_be_neither_changed_nor_deleted() {
    on_both(|backend| async move {
        let t = seeded(backend).await;
        run(&t.db, CLAIM).await.unwrap();
        let immutable = "claims are immutable";
        refused(&t, "UPDATE claims SET client_id = 1", immutable, immutable).await;
        refused(&t, "DELETE FROM claims", immutable, immutable).await;
        let count =
            t.db.query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                t.db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM claims",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(count, 1, "{backend}");
    })
    .await;
}

#[tokio::test]
async fn listings_refuse_impossible_values() {
    on_both(|backend| async move {
        let t = seeded(backend).await;
        refused(
            &t,
            &listing("available", "0"),
            "CHECK constraint failed: quantity",
            "listings_quantity_check",
        )
        .await;
        refused(
            &t,
            &listing("sold", "3"),
            "CHECK constraint failed: status",
            "listings_status_check",
        )
        .await;
        let orphan = listing("available", "3").replace("VALUES (1,", "VALUES (999,");
        refused(
            &t,
            &orphan,
            "FOREIGN KEY constraint failed",
            "listings_business_id_fkey",
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn comma_joined_dietary_tags_become_a_json_array_and_back() {
    on_both(|backend| async move {
        let t = TestDb::empty(backend).await;
        // Up to the migration before the change, with a listing stored the old way.
        Migrator::up(&t.db, Some(4)).await.unwrap();
        let none = listing("available", "2").replace("'[]'", "''");
        let some = listing("available", "3").replace("'[]'", "'vegan,halal'");
        for sql in [BUSINESS, &none, &some] {
            run(&t.db, sql).await.unwrap();
        }

        let tags = || async {
            let rows =
                t.db.query_all_raw(sea_orm_migration::sea_orm::Statement::from_string(
                    t.db.get_database_backend(),
                    "SELECT CAST(dietary_tags AS TEXT) AS tags FROM listings ORDER BY id",
                ))
                .await
                .unwrap();
            rows.iter()
                .map(|r| r.try_get::<String>("", "tags").unwrap().replace(' ', ""))
                .collect::<Vec<_>>()
        };
        Migrator::up(&t.db, None).await.unwrap();
        assert_eq!(tags().await, [r#"[]"#, r#"["vegan","halal"]"#], "{backend}");
        // Back through the claim-life migration, then this one.
        Migrator::down(&t.db, Some(2)).await.unwrap();
        assert_eq!(tags().await, ["", "vegan,halal"], "{backend}");
    })
    .await;
}
