use sea_orm::entity::prelude::*;

use crate::codes::EmailKind;

/// One email to send. Written in the transaction of the change it tells about; sent by a
/// background worker, which leases it by moving `due_at` ahead and clears `due_at` once sent.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What to tell whom.
    pub kind: EmailKind,
    pub claim_id: i64,
    /// Whom it is for when that is not one of the claim's two sides (a client on the
    /// listing's waiting list).
    pub recipient_id: Option<i64>,
    pub created_at: DateTimeUtc,
    /// When a worker may (next) try to send it; `None` once sent or abandoned.
    pub due_at: Option<DateTimeUtc>,
    /// Tries so far, counted when a worker takes the row.
    pub attempts: i32,
    pub sent_at: Option<DateTimeUtc>,
    /// Why the last try failed.
    pub last_error: Option<String>,
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
