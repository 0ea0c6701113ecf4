use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alerts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub level: String,
    pub category: Option<String>,
    pub district_index: String,
    /// The alert as triage raised it.
    pub data: Json,
    pub raised_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub acknowledged_by: Option<String>,
    /// When nobody had acknowledged it in time and the escalation contacts were told.
    pub escalated_at: Option<DateTimeUtc>,
    pub escalated_to: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
