use sea_orm::entity::prelude::*;

use crate::codes::{Category, DietaryTags, ListingStatus, Unit};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "listings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub business_id: i64,
    pub item_name: String,
    pub quantity: f64,
    pub unit: Unit,
    pub category: Category,
    /// A JSON array of codes (`["halal","vegetarian"]`).
    #[sea_orm(column_type = "JsonBinary")]
    pub dietary_tags: DietaryTags,
    pub description: String,
    /// Earliest pickup time, when the business sets one.
    pub pickup_from: Option<DateTimeUtc>,
    pub available_until: DateTimeUtc,
    /// The photo as shown on the detail page (key in `images`).
    pub image_key: Option<String>,
    /// Its thumbnail, for cards (key in `images`).
    pub thumb_key: Option<String>,
    /// "Expired" is derived from `available_until`.
    pub status: ListingStatus,
    /// The round a claim made now takes; a claim given back (or not collected) before the
    /// deadline reopens the listing and moves it on.
    pub round: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::BusinessId",
        to = "super::user::Column::Id"
    )]
    Business,
    #[sea_orm(has_many = "super::claim::Entity")]
    Claim,
    #[sea_orm(
        belongs_to = "super::image::Entity",
        from = "Column::ThumbKey",
        to = "super::image::Column::Key"
    )]
    Thumbnail,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Business.def()
    }
}

impl Related<super::claim::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Claim.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
