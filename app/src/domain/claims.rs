//! The heart of FoodBridge: one atomic claim per listing, whatever the load and however many
//! replicas.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::codes::ListingStatus;
use entity::{claim, listing, user};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, Order,
    QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionSession, TransactionTrait,
    sea_query::Expr,
};

use crate::{
    domain::{
        accounts::Actor,
        cursor,
        error::{DomainError, DomainResult},
        events::{DomainEvent, EventSink},
        outbox,
        views::{self, image_sizes},
    },
    dto::{ClaimView, Claimant, Language, ListingState, Page, Role},
};

/// Claims a listing for `actor` (a client). In ONE transaction: the listing goes
/// `available -> claimed` only if it still is available and not expired (a conditional
/// update that reports the rows it changed), the claim row is written, and so are the two
/// emails that tell both sides (sent later by the outbox workers); the unique index on
/// `claims.listing_id` is the second guard. Whoever loses a race gets
/// `Unavailable { state: Claimed }`, never a second claim.
pub async fn claim(
    db: &(impl ConnectionTrait + TransactionTrait),
    events: &dyn EventSink,
    actor: Actor,
    listing_id: i64,
    now: DateTime<Utc>,
) -> DomainResult<ClaimView> {
    actor.require(Role::Client)?;

    let txn = db.begin().await?;
    let changed = listing::Entity::update_many()
        .col_expr(listing::Column::Status, Expr::value(ListingStatus::Claimed))
        .col_expr(listing::Column::UpdatedAt, Expr::value(now))
        .filter(listing::Column::Id.eq(listing_id))
        .filter(listing::Column::Status.eq(ListingStatus::Available))
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
            return Err(DomainError::Unavailable(ListingState::Claimed));
        }
        Err(e) => return Err(e.into()),
    };
    outbox::enqueue_claim(&txn, claim.id, now).await?;
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
async fn why_not(db: &impl ConnectionTrait, listing_id: i64, now: DateTime<Utc>) -> DomainError {
    match listing::Entity::find_by_id(listing_id).one(db).await {
        Ok(Some(row)) => match row.status.state(row.available_until <= now) {
            // Available again can only mean the update raced something odd: call it taken.
            ListingState::Available => DomainError::Unavailable(ListingState::Claimed),
            state => DomainError::Unavailable(state),
        },
        Ok(None) => DomainError::NotFound,
        Err(e) => e.into(),
    }
}

struct Viewed {
    claim: ClaimView,
    business_id: i64,
    business_language: Language,
}

async fn view_of(db: &impl ConnectionTrait, claim: claim::Model) -> DomainResult<Viewed> {
    let claim_id = claim.id;
    views_of(db, vec![claim])
        .await?
        .pop()
        .ok_or_else(|| DomainError::internal("claim without its listing", claim_id))
}

/// The claims as their client sees them, in three queries however many there are.
async fn views_of(
    db: &impl ConnectionTrait,
    claims: Vec<claim::Model>,
) -> DomainResult<Vec<Viewed>> {
    let ids: Vec<i64> = claims.iter().map(|c| c.listing_id).collect();
    let mut listings: HashMap<i64, (listing::Model, user::Model)> = listing::Entity::find()
        .filter(listing::Column::Id.is_in(ids))
        .find_also_related(user::Entity)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|(listing, business)| Some((listing.id, (listing, business?))))
        .collect();
    let sizes = image_sizes(
        db,
        listings.values().filter_map(|(l, _)| l.thumb_key.clone()),
    )
    .await?;
    claims
        .into_iter()
        .map(|claim| {
            let (listing, business) = listings
                .remove(&claim.listing_id)
                .ok_or_else(|| DomainError::internal("claim without its listing", claim.id))?;
            Ok(Viewed {
                business_id: business.id,
                business_language: business.language,
                claim: ClaimView {
                    claim_id: claim.id,
                    claimed_at: claim.claimed_at,
                    listing_id: listing.id,
                    unit: listing.unit,
                    thumbnail: sizes.image_ref(&listing.thumb_key),
                    item_name: listing.item_name,
                    quantity: listing.quantity,
                    pickup_from: listing.pickup_from,
                    available_until: listing.available_until,
                    business_name: business.display_name,
                    pickup_location: business.pickup_location.unwrap_or_default(),
                    business_phone: business.phone,
                    business_email: business.email,
                },
            })
        })
        .collect()
}

/// Everything the two emails of a claim tell, and the language each side reads.
#[derive(Debug, Clone)]
pub struct ClaimNotice {
    pub claim: ClaimView,
    pub client: Claimant,
    pub client_language: Language,
    pub business_language: Language,
}

/// What both sides of claim `claim_id` must be told (for the outbox workers).
pub async fn notice(db: &impl ConnectionTrait, claim_id: i64) -> DomainResult<ClaimNotice> {
    let (claim, client) = claim::Entity::find_by_id(claim_id)
        .find_also_related(user::Entity)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound)?;
    let client =
        client.ok_or_else(|| DomainError::internal("claim without its client", claim_id))?;
    let client_language = client.language;
    let client = views::claimant(&claim, client);
    let viewed = view_of(db, claim).await?;
    Ok(ClaimNotice {
        claim: viewed.claim,
        client,
        client_language,
        business_language: viewed.business_language,
    })
}

/// A client's claims, newest first, `page_size` at a time after the cursor `after`. Clients
/// only.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: Actor,
    after: Option<&str>,
    page_size: u64,
) -> DomainResult<Page<ClaimView>> {
    actor.require(Role::Client)?;
    let claims = claim::Entity::find()
        .filter(claim::Column::ClientId.eq(actor.user_id))
        .filter(cursor::after(
            after,
            claim::Column::ClaimedAt,
            claim::Column::Id,
            &Order::Desc,
        ))
        .order_by_desc(claim::Column::ClaimedAt)
        .order_by_desc(claim::Column::Id)
        .limit(page_size + 1)
        .all(db)
        .await?;
    let page = cursor::page(claims, page_size, |c| (c.claimed_at, c.id));
    Ok(Page {
        items: views_of(db, page.items)
            .await?
            .into_iter()
            .map(|viewed| viewed.claim)
            .collect(),
        next: page.next,
    })
}
