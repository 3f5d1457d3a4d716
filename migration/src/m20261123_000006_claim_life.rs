//! A claim's whole life. A listing may be claimed again after a claim is given back, so a
//! claim belongs to a *round* of its listing: `listings.round` is the round a claim would take
//! now, a reopen moves it on, and `(listing_id, round)` is unique in `claims` (the second guard
//! beside the conditional update). What became of a claim (cancelled, collected, not collected)
//! is a row of its own in `claim_outcomes`, one per claim, as immutable as the claim. Clients
//! may wait for a claimed listing (`waitlist`), and the outbox may write to one recipient among
//! several about the same claim (`outbox.recipient_id`).
//!
//! SQLite cannot drop the old `UNIQUE (listing_id)` of `claims` in place: the table is rebuilt
//! inside the migration's transaction, with foreign keys checked at its commit.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

use crate::run;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Listings {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Claims {
    Table,
    Id,
    ListingId,
    ClientId,
    ClaimedAt,
    Round,
}

#[derive(DeriveIden)]
enum ClaimOutcomes {
    Table,
    Id,
    ClaimId,
    Outcome,
    Late,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Waitlist {
    Table,
    Id,
    ListingId,
    ClientId,
    CreatedAt,
}

const SQLITE_IMMUTABLE: [&str; 4] = [
    "CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims \
     BEGIN SELECT RAISE(ABORT, 'claims are immutable'); END",
    "CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims \
     BEGIN SELECT RAISE(ABORT, 'claims are immutable'); END",
    "CREATE TRIGGER claim_outcomes_no_update BEFORE UPDATE ON claim_outcomes \
     BEGIN SELECT RAISE(ABORT, 'claims are immutable'); END",
    "CREATE TRIGGER claim_outcomes_no_delete BEFORE DELETE ON claim_outcomes \
     BEGIN SELECT RAISE(ABORT, 'claims are immutable'); END",
];

/// Before: the claims as they were, copied aside; after: back into the rebuilt table.
const SQLITE_SAVE_CLAIMS: [&str; 3] = [
    "PRAGMA defer_foreign_keys = ON",
    "CREATE TEMP TABLE claims_kept AS SELECT id, listing_id, client_id, claimed_at FROM claims",
    "DROP TABLE claims",
];
const SQLITE_RESTORE_CLAIMS: [&str; 2] = [
    "INSERT INTO claims (id, listing_id, client_id, claimed_at, round) \
     SELECT id, listing_id, client_id, claimed_at, 1 FROM claims_kept",
    "DROP TABLE claims_kept",
];

const POSTGRES_UP: [&str; 6] = [
    "ALTER TABLE listings ADD COLUMN round integer NOT NULL DEFAULT 1",
    "ALTER TABLE claims ADD COLUMN round integer NOT NULL DEFAULT 1",
    "ALTER TABLE claims DROP CONSTRAINT claims_listing_id_key",
    "CREATE UNIQUE INDEX idx_claims_listing_round ON claims (listing_id, round)",
    "CREATE TRIGGER claim_outcomes_immutable BEFORE UPDATE OR DELETE ON claim_outcomes \
     FOR EACH ROW EXECUTE FUNCTION claims_immutable()",
    "ALTER TABLE outbox ADD COLUMN recipient_id bigint REFERENCES users (id) ON DELETE RESTRICT",
];
const POSTGRES_DOWN: [&str; 5] = [
    "ALTER TABLE outbox DROP COLUMN recipient_id",
    "DROP INDEX idx_claims_listing_round",
    "ALTER TABLE claims ADD CONSTRAINT claims_listing_id_key UNIQUE (listing_id)",
    "ALTER TABLE claims DROP COLUMN round",
    "ALTER TABLE listings DROP COLUMN round",
];

/// Each email is written once per claim, kind and recipient (none: the claim's own side).
const OUTBOX_ONCE: [&str; 2] = [
    "DROP INDEX idx_outbox_claim_kind",
    "CREATE UNIQUE INDEX idx_outbox_once ON outbox (claim_id, kind, COALESCE(recipient_id, 0))",
];
const OUTBOX_ONCE_DOWN: [&str; 2] = [
    "DROP INDEX idx_outbox_once",
    "CREATE UNIQUE INDEX idx_outbox_claim_kind ON outbox (claim_id, kind)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// SQLite too: its rebuild of `claims` must commit whole or not at all.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sqlite = manager.get_database_backend() == DbBackend::Sqlite;
        if sqlite {
            run(manager, &SQLITE_SAVE_CLAIMS).await?;
            manager.create_table(claims_table(false)).await?;
            run(manager, &SQLITE_RESTORE_CLAIMS).await?;
            run(
                manager,
                &[
                    "ALTER TABLE listings ADD COLUMN round integer NOT NULL DEFAULT 1",
                    // No foreign key here: SQLite could not drop the column again.
                    "ALTER TABLE outbox ADD COLUMN recipient_id bigint",
                ],
            )
            .await?;
            manager.create_index(claims_by_client()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(ClaimOutcomes::Table)
                    .col(big_pk_auto(ClaimOutcomes::Id))
                    .col(big_integer_uniq(ClaimOutcomes::ClaimId))
                    .col(string_len(ClaimOutcomes::Outcome, 16).check(
                        Expr::col(ClaimOutcomes::Outcome).is_in([
                            "cancelled",
                            "collected",
                            "not_collected",
                        ]),
                    ))
                    .col(boolean(ClaimOutcomes::Late).default(false))
                    .col(big_integer(ClaimOutcomes::RecordedBy))
                    .col(timestamp_with_time_zone(ClaimOutcomes::RecordedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClaimOutcomes::Table, ClaimOutcomes::ClaimId)
                            .to(Claims::Table, Claims::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ClaimOutcomes::Table, ClaimOutcomes::RecordedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Waitlist::Table)
                    .col(big_pk_auto(Waitlist::Id))
                    .col(big_integer(Waitlist::ListingId))
                    .col(big_integer(Waitlist::ClientId))
                    .col(timestamp_with_time_zone(Waitlist::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Waitlist::Table, Waitlist::ListingId)
                            .to(Listings::Table, Listings::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Waitlist::Table, Waitlist::ClientId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_waitlist_listing_client")
                    .table(Waitlist::Table)
                    .col(Waitlist::ListingId)
                    .col(Waitlist::ClientId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        if sqlite {
            run(manager, &SQLITE_IMMUTABLE).await?;
        } else {
            run(manager, &POSTGRES_UP).await?;
        }
        run(manager, &OUTBOX_ONCE).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, &OUTBOX_ONCE_DOWN).await?;
        manager
            .drop_table(Table::drop().table(Waitlist::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ClaimOutcomes::Table).to_owned())
            .await?;
        if manager.get_database_backend() != DbBackend::Sqlite {
            return run(manager, &POSTGRES_DOWN).await;
        }
        run(
            manager,
            &[
                "ALTER TABLE outbox DROP COLUMN recipient_id",
                "ALTER TABLE listings DROP COLUMN round",
            ],
        )
        .await?;
        run(manager, &SQLITE_SAVE_CLAIMS).await?;
        manager.create_table(claims_table(true)).await?;
        run(
            manager,
            &[
                "INSERT INTO claims (id, listing_id, client_id, claimed_at) \
                 SELECT id, listing_id, client_id, claimed_at FROM claims_kept",
                "DROP TABLE claims_kept",
            ],
        )
        .await?;
        manager.create_index(claims_by_client()).await?;
        run(manager, &SQLITE_IMMUTABLE[..2]).await
    }
}

/// `claims` as SQLite rebuilds it: with rounds, or (`before`) as the core migration made it.
fn claims_table(before: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(Claims::Table).col(big_pk_auto(Claims::Id));
    if before {
        table.col(big_integer_uniq(Claims::ListingId));
    } else {
        table.col(big_integer(Claims::ListingId));
    }
    table
        .col(big_integer(Claims::ClientId))
        .col(timestamp_with_time_zone(Claims::ClaimedAt));
    if !before {
        table.col(integer(Claims::Round).default(1)).index(
            Index::create()
                .name("idx_claims_listing_round")
                .col(Claims::ListingId)
                .col(Claims::Round)
                .unique(),
        );
    }
    table
        .foreign_key(
            ForeignKey::create()
                .from(Claims::Table, Claims::ListingId)
                .to(Listings::Table, Listings::Id)
                .on_delete(ForeignKeyAction::Restrict),
        )
        .foreign_key(
            ForeignKey::create()
                .from(Claims::Table, Claims::ClientId)
                .to(Users::Table, Users::Id)
                .on_delete(ForeignKeyAction::Restrict),
        )
        .to_owned()
}

fn claims_by_client() -> IndexCreateStatement {
    Index::create()
        .name("idx_claims_client_claimed")
        .table(Claims::Table)
        .col(Claims::ClientId)
        .col(Claims::ClaimedAt)
        .to_owned()
}
