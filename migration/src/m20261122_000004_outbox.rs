//! The email outbox: one row per email to send, written in the same transaction as the change
//! it tells about (a claim), so an email is never lost and never sent for a change that was
//! rolled back. Background workers on every replica take due rows and mark them sent.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Outbox {
    Table,
    Id,
    Kind,
    ClaimId,
    CreatedAt,
    DueAt,
    Attempts,
    SentAt,
    LastError,
}

#[derive(DeriveIden)]
enum Claims {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(big_pk_auto(Outbox::Id))
                    .col(string_len(Outbox::Kind, 32))
                    .col(big_integer(Outbox::ClaimId))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::DueAt))
                    .col(integer(Outbox::Attempts).default(0))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .col(text_null(Outbox::LastError))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Outbox::Table, Outbox::ClaimId)
                            .to(Claims::Table, Claims::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        // Each claim tells each side once.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_claim_kind")
                    .table(Outbox::Table)
                    .col(Outbox::ClaimId)
                    .col(Outbox::Kind)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Workers look for the rows that are due; sent and abandoned rows have no `due_at`.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::DueAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Outbox::Table).to_owned())
            .await
    }
}
