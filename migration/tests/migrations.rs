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
         VALUES (1, 'Bread', {quantity}, 'loaves', 'bakery', '', 'Fresh today', '2026-11-23T10:00:00+00:00', '{status}', '2026-11-22T10:00:00+00:00', '2026-11-22T10:00:00+00:00')"
    )
}

const CLAIM: &str = "INSERT INTO claims (listing_id, client_id, claimed_at) VALUES (1, 2, '2026-11-22T11:00:00+00:00')";

async fn run(db: &DatabaseConnection, sql: &str) -> Result<(), DbErr> {
    db.execute_unprepared(sql).await.map(|_| ())
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
        assert!(
            run(&t.db, BUSINESS).await.is_err(),
            "{backend}: duplicate email accepted"
        );
        let upper = CLIENT.replace("client@example.cm", "Other@Example.cm");
        assert!(
            run(&t.db, &upper).await.is_err(),
            "{backend}: upper-case email accepted"
        );
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
        assert!(
            run(&t.db, CLAIM).await.is_err(),
            "{backend}: second claim row accepted"
        );
    })
    .await;
}

#[tokio::test]
async fn claims_can_be_neither_changed_nor_deleted() {
    on_both(|backend| async move {
        let t = seeded(backend).await;
        run(&t.db, CLAIM).await.unwrap();
        let update = run(&t.db, "UPDATE claims SET client_id = 1").await;
        assert!(update.is_err(), "{backend}: a claim was updated");
        let delete = run(&t.db, "DELETE FROM claims").await;
        assert!(delete.is_err(), "{backend}: a claim was deleted");
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
        assert!(
            run(&t.db, &listing("available", "0")).await.is_err(),
            "{backend}: zero quantity"
        );
        assert!(
            run(&t.db, &listing("sold", "3")).await.is_err(),
            "{backend}: unknown status"
        );
        let orphan = listing("available", "3").replace("VALUES (1,", "VALUES (999,");
        assert!(
            run(&t.db, &orphan).await.is_err(),
            "{backend}: listing without a business"
        );
    })
    .await;
}
