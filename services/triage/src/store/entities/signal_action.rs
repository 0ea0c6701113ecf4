//! The audit of a signal: who did what, when and why (`actor` is `None` for triage itself).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signal_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub signal_id: Uuid,
    /// `opened`, `report_added`, `merged`, `merged_into`, `split`, `reclassified`,
    /// `escalated`, `dismissed`.
    pub action: String,
    pub actor: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    /// What changed, e.g. the reports moved or the categories before and after.
    pub detail: Json,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
