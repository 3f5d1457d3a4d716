//! Listing photos, kept in the database so every replica serves every image and none is lost
//! with a replica. Each row is one encoded file, keyed by the SHA-256 of its bytes.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Images {
    Table,
    Key,
    ContentType,
    Width,
    Height,
    Bytes,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Listings {
    Table,
    ThumbKey,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Images::Table)
                    .col(string_len(Images::Key, 64).primary_key())
                    .col(string_len(Images::ContentType, 32))
                    .col(integer(Images::Width))
                    .col(integer(Images::Height))
                    .col(blob(Images::Bytes))
                    .col(timestamp_with_time_zone(Images::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // `listings.image_key` holds the display image; this adds its thumbnail.
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .add_column(string_len_null(Listings::ThumbKey, 64))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Listings::Table)
                    .drop_column(Listings::ThumbKey)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Images::Table).to_owned())
            .await
    }
}
