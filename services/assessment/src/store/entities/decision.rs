use sea_orm::entity::prelude::*;

/// One version of a decision on a case; never updated, a change is a new row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    /// 1, 2, …; unique per case.
    pub version: i32,
    pub risk_level: String,
    pub computed_level: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub override_reason: Option<String>,
    /// Measure names, a JSON array.
    pub measures: Json,
    #[sea_orm(column_type = "Text", nullable)]
    pub responsible: Option<String>,
    pub act_by: Option<DateTimeUtc>,
    /// The warning text asked for, as `WarningDraftText`.
    pub warning: Option<Json>,
    pub decided_by: String,
    pub decided_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
