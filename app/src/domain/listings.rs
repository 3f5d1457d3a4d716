use chrono::{DateTime, Utc};
use entity::listing;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

pub const STATUS_AVAILABLE: &str = "available";

/// Listings a client could claim at `now`: available and not past their deadline.
pub async fn count_available(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    listing::Entity::find()
        .filter(listing::Column::Status.eq(STATUS_AVAILABLE))
        .filter(listing::Column::AvailableUntil.gt(now))
        .count(db)
        .await
}
