use sea_orm::entity::prelude::*;

/// One state change of a warning: who did what, when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "warning_audit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub warning_id: Uuid,
    /// `drafted`, `published`.
    pub action: String,
    /// A person's `sub`, or the decider of the decision a draft came from.
    pub actor: String,
    pub at: DateTimeUtc,
    pub detail: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
