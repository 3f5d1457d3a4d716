//! Rows written straight to the database, for tests and benchmarks that need listings but not
//! the way they are posted (the photo pipeline and the form have tests of their own).

use chrono::{Duration, SubsecRound, Utc};
use entity::{
    codes::{Category, ListingStatus, Unit},
    listing,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbErr};

/// An available listing of business `business_id`, without a photo, until `available_for`
/// from now (negative: it has expired). Answers its id.
pub async fn plain_listing(
    db: &impl ConnectionTrait,
    business_id: i64,
    available_for: Duration,
) -> Result<i64, DbErr> {
    let now = Utc::now().trunc_subsecs(0);
    let row = listing::ActiveModel {
        business_id: Set(business_id),
        item_name: Set("Pain complet".into()),
        quantity: Set(12.0),
        unit: Set(Unit::Loaves),
        category: Set(Category::Bakery),
        dietary_tags: Set(Default::default()),
        description: Set(String::new()),
        available_until: Set(now + available_for),
        status: Set(ListingStatus::Available),
        // Set, not left to the default (see `app::domain::listings::create`).
        round: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}
