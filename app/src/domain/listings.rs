//! Listings: who may post, edit and withdraw them, and what a listing and a business's own
//! listings look like.

use chrono::{DateTime, Utc};
use entity::codes::ListingStatus;
use entity::{listing, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    Order, QueryFilter, QueryOrder, QuerySelect, TransactionSession, TransactionTrait,
    sea_query::Expr,
};

use crate::{
    domain::{
        accounts::Actor,
        claims, cursor,
        error::{DomainError, DomainResult},
        events::{DomainEvent, EventSink},
        images::{self, Photo},
        listing_form::{ListingForm, ValidListing, validate},
        views::{self, image_sizes},
    },
    dto::{ListingDetail, ListingState, OwnListing, Page, Role},
    error::{Field, Problem},
};

/// Posts a listing with its photo. Businesses only. The photo and the listing are written in
/// one transaction: either both are stored or neither is.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    form: &ListingForm,
    photo: Option<Result<Photo, Problem>>,
    now: DateTime<Utc>,
) -> DomainResult<i64> {
    actor.require(Role::Business)?;
    let photo_problem = match &photo {
        None => Some(Problem::Required),
        Some(Err(problem)) => Some(problem.clone()),
        Some(Ok(_)) => None,
    };
    let valid = validate(form, photo_problem.as_ref(), now)?;
    let Some(Ok(photo)) = photo else {
        return Err(DomainError::field(Field::Photo, Problem::Required));
    };

    let txn = db.begin().await?;
    images::save(&txn, &photo, now).await?;
    let mut row = new_row(&valid, now);
    row.business_id = Set(actor.user_id);
    row.image_key = Set(Some(photo.display.key.clone()));
    row.thumb_key = Set(Some(photo.thumbnail.key.clone()));
    row.status = Set(ListingStatus::Available);
    // Set, not left to the column's default: SQLite's RETURNING can answer NULL for a column
    // added by ALTER TABLE that the INSERT leaves out.
    row.round = Set(1);
    row.created_at = Set(now);
    let id = row.insert(&txn).await?.id;
    txn.commit().await?;

    events
        .publish(DomainEvent::ListingPosted {
            listing_id: id,
            business_id: actor.user_id,
        })
        .await;
    Ok(id)
}

fn new_row(valid: &ValidListing, now: DateTime<Utc>) -> listing::ActiveModel {
    listing::ActiveModel {
        item_name: Set(valid.item_name.clone()),
        quantity: Set(valid.quantity),
        unit: Set(valid.unit),
        category: Set(valid.category),
        dietary_tags: Set(valid.dietary_tags.clone()),
        description: Set(valid.description.clone()),
        pickup_from: Set(valid.pickup_from),
        available_until: Set(valid.available_until),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Only the listing's own business may change it, and only while a client could still claim
/// it. A missing photo keeps the current one.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    listing_id: i64,
    form: &ListingForm,
    photo: Option<Result<Photo, Problem>>,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    actor.require(Role::Business)?;
    owned_and_available(db, actor, listing_id, now).await?;
    let photo_problem = match &photo {
        Some(Err(problem)) => Some(problem.clone()),
        _ => None,
    };
    let valid = validate(form, photo_problem.as_ref(), now)?;

    let txn = db.begin().await?;
    let mut changes = new_row(&valid, now);
    if let Some(Ok(photo)) = &photo {
        images::save(&txn, photo, now).await?;
        changes.image_key = Set(Some(photo.display.key.clone()));
        changes.thumb_key = Set(Some(photo.thumbnail.key.clone()));
    }
    // Conditional: a claim (or expiry) that lands between the check above and here wins.
    let changed = listing::Entity::update_many()
        .set(changes)
        .filter(still_available(listing_id, actor, now))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed != 1 {
        txn.rollback().await?;
        return Err(owned_and_available(db, actor, listing_id, now)
            .await
            .err()
            .unwrap_or_else(|| DomainError::Internal("the listing changed and did not".into())));
    }
    txn.commit().await?;

    events
        .publish(DomainEvent::ListingUpdated {
            listing_id,
            business_id: actor.user_id,
        })
        .await;
    Ok(())
}

/// Takes an available listing off the site. Its own business only.
pub async fn withdraw(
    db: &impl ConnectionTrait,
    events: &dyn EventSink,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<()> {
    actor.require(Role::Business)?;
    let changed = listing::Entity::update_many()
        .col_expr(
            listing::Column::Status,
            Expr::value(ListingStatus::Withdrawn),
        )
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(still_available(listing_id, actor, now))
        .exec(db)
        .await?
        .rows_affected;
    if changed != 1 {
        return Err(owned_and_available(db, actor, listing_id, now)
            .await
            .err()
            .unwrap_or_else(|| DomainError::Internal("the listing changed and did not".into())));
    }
    events
        .publish(DomainEvent::ListingWithdrawn {
            listing_id,
            business_id: actor.user_id,
        })
        .await;
    Ok(())
}

fn still_available(listing_id: i64, actor: Actor, now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(listing::Column::Id.eq(listing_id))
        .add(listing::Column::BusinessId.eq(actor.user_id))
        .add(listing::Column::Status.eq(ListingStatus::Available))
        .add(listing::Column::AvailableUntil.gt(now))
}

/// Why `actor` may not change the listing, if they may not.
async fn owned_and_available(
    db: &impl ConnectionTrait,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<listing::Model> {
    let row = listing::Entity::find_by_id(listing_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    if row.business_id != actor.user_id {
        return Err(DomainError::Forbidden);
    }
    match row.status.state(row.available_until <= now) {
        ListingState::Available => Ok(row),
        state => Err(DomainError::Unavailable(state)),
    }
}

/// One listing, whatever its state. Anyone may look.
pub async fn get(
    db: &impl ConnectionTrait,
    listing_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<ListingDetail> {
    let (row, business) = listing::Entity::find_by_id(listing_id)
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let business = business
        .ok_or_else(|| DomainError::internal("listing without its business", listing_id))?;
    let sizes = image_sizes(
        db,
        [row.image_key.clone(), row.thumb_key.clone()]
            .into_iter()
            .flatten(),
    )
    .await?;
    Ok(views::detail(row, &business, &sizes, now))
}

/// A business's own listings, newest first, in every state, with who holds each claimed one
/// (and their record) and each listing's history; `page_size` at a time, after the cursor `after`. Businesses only.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: Actor,
    after: Option<&str>,
    now: DateTime<Utc>,
    page_size: u64,
) -> DomainResult<Page<OwnListing>> {
    actor.require(Role::Business)?;
    let business = user::Entity::find_by_id(actor.user_id)
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    let rows = listing::Entity::find()
        .filter(listing::Column::BusinessId.eq(actor.user_id))
        .filter(cursor::after(
            after,
            listing::Column::CreatedAt,
            listing::Column::Id,
            &Order::Desc,
        ))
        .order_by_desc(listing::Column::CreatedAt)
        .order_by_desc(listing::Column::Id)
        .limit(page_size + 1)
        .all(db)
        .await?;
    let page = cursor::page(rows, page_size, |row| (row.created_at, row.id));

    let keys: Vec<String> = page
        .items
        .iter()
        .flat_map(|r| [r.image_key.clone(), r.thumb_key.clone()])
        .flatten()
        .collect();
    let sizes = image_sizes(db, keys).await?;
    let mut claims = claims::of_listings(db, &page.items, now).await?;
    Ok(page.map(|row| OwnListing {
        claimed_by: claims.current.remove(&row.id),
        history: claims.history.remove(&row.id).unwrap_or_default(),
        listing: views::detail(row, &business, &sizes, now),
    }))
}
