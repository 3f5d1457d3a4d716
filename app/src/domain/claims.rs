//! The heart of FoodBridge: one atomic claim per listing, whatever the load and however many
//! replicas.

use chrono::{DateTime, Utc};
use entity::{claim, listing, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, SqlErr, TransactionSession, TransactionTrait, sea_query::Expr,
};

use crate::{
    domain::{
        accounts::Actor,
        events::{DomainEvent, EventSink},
        listings::{self, STATUS_AVAILABLE},
    },
    dto::{ClaimView, ListingState, Role},
    error::AppError,
};

pub const STATUS_CLAIMED: &str = "claimed";

/// Claims a listing for `actor` (a client). In ONE transaction: the listing goes
/// `available -> claimed` only if it still is available and not expired (a conditional
/// update that reports the rows it changed), and the claim row is written; the unique index
/// on `claims.listing_id` is the second guard. Whoever loses a race gets
/// `Unavailable { state: Claimed }`, never a second claim.
pub async fn claim(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> Result<ClaimView, AppError> {
    actor.require(Role::Client)?;

    let txn = db.begin().await?;
    let changed = listing::Entity::update_many()
        .col_expr(listing::Column::Status, Expr::value(STATUS_CLAIMED))
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(listing::Column::Id.eq(listing_id))
        .filter(listing::Column::Status.eq(STATUS_AVAILABLE))
        .filter(listing::Column::AvailableUntil.gt(now))
        .exec(&txn)
        .await?
        .rows_affected;
    if changed != 1 {
        txn.rollback().await?;
        return Err(why_not(db, listing_id, now).await);
    }
    let inserted = claim::ActiveModel {
        listing_id: Set(listing_id),
        client_id: Set(actor.user_id),
        claimed_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    let claim = match inserted {
        Ok(claim) => claim,
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            return Err(AppError::Unavailable {
                state: ListingState::Claimed,
            });
        }
        Err(e) => return Err(e.into()),
    };
    let view = view_of(&txn, claim).await?;
    txn.commit().await?;

    events.publish(DomainEvent::ListingClaimed {
        listing_id,
        business_id: view.business_id,
        client_id: actor.user_id,
    });
    Ok(view.claim)
}

/// Why a listing cannot be claimed now.
async fn why_not(db: &impl ConnectionTrait, listing_id: i64, now: DateTime<Utc>) -> AppError {
    match listing::Entity::find_by_id(listing_id).one(db).await {
        Ok(Some(row)) => match listings::state_of(&row.status, row.available_until, now) {
            // Available again can only mean the update raced something odd: call it taken.
            ListingState::Available => AppError::Unavailable {
                state: ListingState::Claimed,
            },
            state => AppError::Unavailable { state },
        },
        Ok(None) => AppError::NotFound,
        Err(e) => e.into(),
    }
}

struct Viewed {
    claim: ClaimView,
    business_id: i64,
}

async fn view_of(db: &impl ConnectionTrait, claim: claim::Model) -> Result<Viewed, AppError> {
    let (listing, business) = listing::Entity::find_by_id(claim.listing_id)
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or(AppError::Internal)?;
    let business = business.ok_or(AppError::Internal)?;
    let thumbnail = listings::thumbnail_of(db, &listing).await?;
    Ok(Viewed {
        business_id: business.id,
        claim: ClaimView {
            claim_id: claim.id,
            claimed_at: claim.claimed_at,
            listing_id: listing.id,
            unit: listings::unit_of(&listing)?,
            item_name: listing.item_name,
            quantity: listing.quantity,
            pickup_from: listing.pickup_from,
            available_until: listing.available_until,
            business_name: business.display_name,
            pickup_location: business.pickup_location.unwrap_or_default(),
            business_phone: business.phone,
            business_email: business.email,
            thumbnail,
        },
    })
}

/// A client's claims, newest first. Clients only.
pub async fn mine(db: &impl ConnectionTrait, actor: Actor) -> Result<Vec<ClaimView>, AppError> {
    actor.require(Role::Client)?;
    let claims = claim::Entity::find()
        .filter(claim::Column::ClientId.eq(actor.user_id))
        .order_by_desc(claim::Column::ClaimedAt)
        .order_by_desc(claim::Column::Id)
        .limit(200)
        .all(db)
        .await?;
    let mut views = Vec::with_capacity(claims.len());
    for claim in claims {
        views.push(view_of(db, claim).await?.claim);
    }
    Ok(views)
}
