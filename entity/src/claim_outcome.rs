use sea_orm::entity::prelude::*;

use crate::codes::Outcome;

/// What became of a claim: written once, by whoever recorded it, and never changed (database
/// triggers refuse it, as for claims). At most one per claim.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "claim_outcomes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub claim_id: i64,
    pub outcome: Outcome,
    /// A cancellation in the last hour before the deadline.
    pub late: bool,
    /// The user who recorded it (the client, or the listing's business).
    pub recorded_by: i64,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::claim::Entity",
        from = "Column::ClaimId",
        to = "super::claim::Column::Id"
    )]
    Claim,
}

impl Related<super::claim::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Claim.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
