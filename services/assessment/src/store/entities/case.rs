use sea_orm::entity::prelude::*;

/// A risk under assessment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The alert that opened it; `None` for a case opened by hand.
    #[sea_orm(unique)]
    pub alert_id: Option<Uuid>,
    /// Intake's report ids, a JSON array.
    pub report_ids: Json,
    pub product: String,
    pub category: Option<String>,
    /// GB/T 2260 codes, a JSON array.
    pub districts: Json,
    /// See [`crate::store::district_index`].
    pub district_index: String,
    /// The alert's level, before any assessment.
    pub initial_level: Option<String>,
    /// `open` or `decided`, see [`crate::domain::case::Status`].
    pub status: String,
    pub deadline: Option<DateTimeUtc>,
    /// The correlation id of the events that led to the case.
    pub correlation_id: Option<Uuid>,
    /// The regulator's `sub`, or the service whose event opened it.
    pub opened_by: String,
    pub opened_at: DateTimeUtc,
    /// The escalated signal that opened it, if one did.
    #[sea_orm(unique)]
    pub signal_id: Option<Uuid>,
    /// The reporting stations' ids and codes, a JSON array; their experts are excluded.
    pub stations: Option<Json>,
    /// Involved enterprises by name, a JSON array; their experts are excluded.
    pub enterprises: Option<Json>,
    /// When `CaseOverdue` was staged; set once, so the event goes out once.
    pub overdue_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
