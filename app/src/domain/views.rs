//! How stored listings and claims are shown: the pieces the listing and claim views share.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{claim, image, listing, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::{
    domain::{error::DomainResult, images},
    dto::{Claimant, ImageRef, ListingDetail},
};

/// Widths and heights of stored images (never their bytes), by key.
pub struct ImageSizes(HashMap<String, (u32, u32)>);

impl ImageSizes {
    /// From `(key, width, height)` rows of `images`.
    pub fn from_rows(rows: impl IntoIterator<Item = (String, i32, i32)>) -> Self {
        ImageSizes(
            rows.into_iter()
                .map(|(key, w, h)| (key, (w as u32, h as u32)))
                .collect(),
        )
    }

    /// The image stored under `key`, as a page shows it.
    pub fn image_ref(&self, key: &Option<String>) -> Option<ImageRef> {
        let key = key.as_ref()?;
        let &(width, height) = self.0.get(key)?;
        Some(ImageRef {
            url: images::url(key),
            width,
            height,
        })
    }
}

/// Looks up the sizes of the images stored under `keys`, in one query.
pub async fn image_sizes(
    db: &impl ConnectionTrait,
    keys: impl IntoIterator<Item = String>,
) -> DomainResult<ImageSizes> {
    let keys: Vec<String> = keys.into_iter().collect();
    if keys.is_empty() {
        return Ok(ImageSizes(HashMap::new()));
    }
    let rows: Vec<(String, i32, i32)> = image::Entity::find()
        .select_only()
        .columns([
            image::Column::Key,
            image::Column::Width,
            image::Column::Height,
        ])
        .filter(image::Column::Key.is_in(keys))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ImageSizes::from_rows(rows))
}

/// A listing with everything about it, as it stands at `now`.
pub fn detail(
    row: listing::Model,
    business: &user::Model,
    sizes: &ImageSizes,
    now: DateTime<Utc>,
) -> ListingDetail {
    ListingDetail {
        id: row.id,
        business_id: row.business_id,
        state: row.status.state(row.available_until <= now),
        unit: row.unit,
        category: row.category,
        dietary_tags: row.dietary_tags,
        photo: sizes.image_ref(&row.image_key),
        thumbnail: sizes.image_ref(&row.thumb_key),
        item_name: row.item_name,
        quantity: row.quantity,
        description: row.description,
        pickup_from: row.pickup_from,
        available_until: row.available_until,
        business_name: business.display_name.clone(),
        pickup_location: business.pickup_location.clone().unwrap_or_default(),
        created_at: row.created_at,
    }
}

/// The client as the business sees them (without what became of the claim, or their record).
pub fn claimant(claim: &claim::Model, client: user::Model, now: DateTime<Utc>) -> Claimant {
    Claimant {
        checked_at: now,
        claim_id: claim.id,
        contact_name: client.display_name,
        phone: client.phone,
        email: client.email,
        claimed_at: claim.claimed_at,
        outcome: None,
        reliability: Default::default(),
    }
}
