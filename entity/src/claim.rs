use sea_orm::entity::prelude::*;

/// An accepted claim. Written once, in the same transaction that marks the listing claimed;
/// database triggers refuse any later UPDATE or DELETE. What became of it is a
/// [`super::claim_outcome`] of its own.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub listing_id: i64,
    pub client_id: i64,
    pub claimed_at: DateTimeUtc,
    /// The listing's round it was made in: unique with `listing_id`, so a listing has at most
    /// one claim per round, and a round moves on only when its claim is given back.
    pub round: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::listing::Entity",
        from = "Column::ListingId",
        to = "super::listing::Column::Id"
    )]
    Listing,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::ClientId",
        to = "super::user::Column::Id"
    )]
    Client,
    #[sea_orm(has_one = "super::claim_outcome::Entity")]
    Outcome,
}

impl Related<super::listing::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Listing.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Client.def()
    }
}

impl Related<super::claim_outcome::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Outcome.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
