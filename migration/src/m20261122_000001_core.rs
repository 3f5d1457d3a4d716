//! Users, listings and claims.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Role,
    Email,
    Phone,
    PasswordHash,
    DisplayName,
    PickupLocation,
    Language,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Listings {
    Table,
    Id,
    BusinessId,
    ItemName,
    Quantity,
    Unit,
    Category,
    DietaryTags,
    Description,
    PickupFrom,
    AvailableUntil,
    ImageKey,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Claims {
    Table,
    Id,
    ListingId,
    ClientId,
    ClaimedAt,
}

/// Claims are an audit record: once written, the database itself refuses to change them.
const SQLITE_IMMUTABLE_CLAIMS: [&str; 2] = [
    "CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims \
     BEGIN SELECT RAISE(ABORT, 'claims are immutable'); END",
    "CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims \
     BEGIN SELECT RAISE(ABORT, 'claims are immutable'); END",
];
const POSTGRES_IMMUTABLE_CLAIMS: [&str; 2] = [
    "CREATE FUNCTION claims_immutable() RETURNS trigger LANGUAGE plpgsql AS \
     $$ BEGIN RAISE EXCEPTION 'claims are immutable'; END $$",
    "CREATE TRIGGER claims_immutable BEFORE UPDATE OR DELETE ON claims \
     FOR EACH ROW EXECUTE FUNCTION claims_immutable()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(big_pk_auto(Users::Id))
                    .col(
                        string_len(Users::Role, 16)
                            .check(Expr::col(Users::Role).is_in(["business", "client"])),
                    )
                    .col(
                        string_len_uniq(Users::Email, 254)
                            .check(Expr::cust("email = lower(email)")),
                    )
                    .col(string_len(Users::Phone, 16))
                    .col(string(Users::PasswordHash))
                    .col(string_len(Users::DisplayName, 120))
                    .col(string_len_null(Users::PickupLocation, 300))
                    .col(
                        string_len(Users::Language, 8)
                            .check(Expr::col(Users::Language).is_in(["en", "fr"])),
                    )
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Listings::Table)
                    .col(big_pk_auto(Listings::Id))
                    .col(big_integer(Listings::BusinessId))
                    .col(string_len(Listings::ItemName, 120))
                    .col(double(Listings::Quantity).check(Expr::col(Listings::Quantity).gt(0)))
                    .col(string_len(Listings::Unit, 16))
                    .col(string_len(Listings::Category, 32))
                    .col(string_len(Listings::DietaryTags, 200).default(""))
                    .col(text(Listings::Description))
                    .col(timestamp_with_time_zone_null(Listings::PickupFrom))
                    .col(timestamp_with_time_zone(Listings::AvailableUntil))
                    .col(string_len_null(Listings::ImageKey, 64))
                    .col(string_len(Listings::Status, 16).check(
                        Expr::col(Listings::Status).is_in(["available", "claimed", "withdrawn"]),
                    ))
                    .col(timestamp_with_time_zone(Listings::CreatedAt))
                    .col(timestamp_with_time_zone(Listings::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Listings::Table, Listings::BusinessId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;

        // Browse "newest available", browse "ending soonest", and a business's own listings.
        for (name, cols) in [
            (
                "idx_listings_status_created",
                [Listings::Status, Listings::CreatedAt, Listings::Id],
            ),
            (
                "idx_listings_status_until",
                [Listings::Status, Listings::AvailableUntil, Listings::Id],
            ),
            (
                "idx_listings_business_created",
                [Listings::BusinessId, Listings::CreatedAt, Listings::Id],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Listings::Table);
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Claims::Table)
                    .col(big_pk_auto(Claims::Id))
                    .col(big_integer_uniq(Claims::ListingId))
                    .col(big_integer(Claims::ClientId))
                    .col(timestamp_with_time_zone(Claims::ClaimedAt))
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
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_claims_client_claimed")
                    .table(Claims::Table)
                    .col(Claims::ClientId)
                    .col(Claims::ClaimedAt)
                    .to_owned(),
            )
            .await?;

        let triggers = match manager.get_database_backend() {
            DbBackend::Sqlite => SQLITE_IMMUTABLE_CLAIMS,
            _ => POSTGRES_IMMUTABLE_CLAIMS,
        };
        let db = manager.get_connection();
        for sql in triggers {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Claims::Table).to_owned())
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS claims_immutable()")
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Listings::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await?;
        Ok(())
    }
}
