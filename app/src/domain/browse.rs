//! Browsing: what clients can claim now, one keyset page at a time.

use chrono::{DateTime, SubsecRound, Utc};
use entity::codes::ListingStatus;
use entity::{image, listing, user};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, Order,
    QueryFilter, QueryOrder, QuerySelect, RelationTrait,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};

use crate::{
    domain::{cursor, error::DomainResult, images},
    dto::{Availability, Category, DietaryTags, ImageRef, ListingCard, Page, Sort, Unit},
    limits::SEARCH_MAX,
};

/// What clients want to see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BrowseQuery {
    pub sort: Option<Sort>,
    pub search: Option<String>,
    pub category: Option<Category>,
    /// The cursor of the page to show (from the previous page's `next`).
    pub after: Option<String>,
}

/// How many listings a client could claim at `now` (available and not past their deadline),
/// and when the first of them expires. `now` may carry a fraction of a second (it is
/// `checked_at`, from which pages time their next look); deadlines are whole seconds.
pub async fn availability(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> DomainResult<Availability> {
    #[derive(FromQueryResult)]
    struct Row {
        count: i64,
        next_deadline: Option<DateTime<Utc>>,
    }
    let row = listing::Entity::find()
        .select_only()
        .column_as(listing::Column::Id.count(), "count")
        .column_as(listing::Column::AvailableUntil.min(), "next_deadline")
        .filter(listing::Column::Status.eq(ListingStatus::Available))
        .filter(listing::Column::AvailableUntil.gt(now.trunc_subsecs(0)))
        .into_model::<Row>()
        .one(db)
        .await?;
    let (count, next_deadline) = row.map_or((0, None), |r| (r.count, r.next_deadline));
    Ok(Availability {
        available_listings: count.try_into().unwrap_or_default(),
        checked_at: now,
        next_deadline,
    })
}

#[derive(Debug, FromQueryResult)]
struct CardRow {
    id: i64,
    item_name: String,
    quantity: f64,
    unit: Unit,
    category: Category,
    dietary_tags: DietaryTags,
    available_until: DateTime<Utc>,
    created_at: DateTime<Utc>,
    thumb_key: Option<String>,
    business_name: String,
    pickup_location: Option<String>,
    thumb_width: Option<i32>,
    thumb_height: Option<i32>,
}

/// One page of what clients can claim now, newest first or ending soonest. Keyset
/// pagination: a page costs the same however deep it is, and a listing posted while someone
/// pages never shows twice.
pub async fn browse(
    db: &impl ConnectionTrait,
    query: &BrowseQuery,
    now: DateTime<Utc>,
    page_size: u64,
) -> DomainResult<Page<ListingCard>> {
    let sort = query.sort.unwrap_or(Sort::Newest);
    let (key_column, order) = match sort {
        Sort::Newest => (listing::Column::CreatedAt, Order::Desc),
        Sort::EndingSoon => (listing::Column::AvailableUntil, Order::Asc),
    };
    let mut select = listing::Entity::find()
        .select_only()
        .columns([
            listing::Column::Id,
            listing::Column::ItemName,
            listing::Column::Quantity,
            listing::Column::Unit,
            listing::Column::Category,
            listing::Column::DietaryTags,
            listing::Column::AvailableUntil,
            listing::Column::CreatedAt,
            listing::Column::ThumbKey,
        ])
        .column_as(user::Column::DisplayName, "business_name")
        .column_as(user::Column::PickupLocation, "pickup_location")
        .column_as(image::Column::Width, "thumb_width")
        .column_as(image::Column::Height, "thumb_height")
        .join(JoinType::InnerJoin, listing::Relation::Business.def())
        .join(JoinType::LeftJoin, listing::Relation::Thumbnail.def())
        .filter(listing::Column::Status.eq(ListingStatus::Available))
        .filter(listing::Column::AvailableUntil.gt(now));

    if let Some(category) = query.category {
        select = select.filter(listing::Column::Category.eq(category));
    }
    if let Some(search) = query
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!(
            "%{}%",
            escape_like(
                &search
                    .chars()
                    .take(SEARCH_MAX)
                    .collect::<String>()
                    .to_lowercase()
            )
        );
        let matches = |column: listing::Column| {
            Expr::expr(Func::lower(Expr::col((listing::Entity, column))))
                .like(LikeExpr::new(pattern.clone()).escape('\\'))
        };
        select = select.filter(
            Condition::any()
                .add(matches(listing::Column::ItemName))
                .add(matches(listing::Column::Description)),
        );
    }
    let rows = select
        .filter(cursor::after(
            query.after.as_deref(),
            key_column,
            listing::Column::Id,
            &order,
        ))
        .order_by(key_column, order.clone())
        .order_by(listing::Column::Id, order)
        .limit(page_size + 1)
        .into_model::<CardRow>()
        .all(db)
        .await?;
    let page = cursor::page(rows, page_size, |row| match sort {
        Sort::Newest => (row.created_at, row.id),
        Sort::EndingSoon => (row.available_until, row.id),
    });
    Ok(page.map(|row| card(row, now)))
}

fn card(row: CardRow, now: DateTime<Utc>) -> ListingCard {
    let thumbnail = match (row.thumb_key, row.thumb_width, row.thumb_height) {
        (Some(key), Some(width), Some(height)) => Some(ImageRef {
            url: images::url(&key),
            width: width as u32,
            height: height as u32,
        }),
        _ => None,
    };
    ListingCard {
        id: row.id,
        item_name: row.item_name,
        quantity: row.quantity,
        unit: row.unit,
        category: row.category,
        dietary_tags: row.dietary_tags,
        business_name: row.business_name,
        pickup_location: row.pickup_location.unwrap_or_default(),
        available_until: row.available_until,
        minutes_left: minutes_left(row.available_until, now),
        thumbnail,
    }
}

/// Whole minutes from `now` until `until`, as a card shows them.
pub fn minutes_left(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (until - now).num_minutes()
}

/// `%` and `_` typed by a user are searched for, not wildcards.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_typed_by_users_are_literal() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }
}
