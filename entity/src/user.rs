use sea_orm::entity::prelude::*;

use crate::codes::{Language, Role};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub role: Role,
    /// Stored lower-case; unique.
    #[sea_orm(unique)]
    pub email: String,
    /// E.164, e.g. `+237677123456`.
    pub phone: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Business name or contact name.
    pub display_name: String,
    /// Businesses only.
    pub pickup_location: Option<String>,
    /// What FoodBridge writes to them in.
    pub language: Language,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::listing::Entity")]
    Listing,
    #[sea_orm(has_many = "super::claim::Entity")]
    Claim,
}

impl Related<super::listing::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Listing.def()
    }
}

impl Related<super::claim::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Claim.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
