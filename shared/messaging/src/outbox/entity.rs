//! The `outbox` table.

use sea_orm::entity::prelude::*;

/// An event waiting to be published, or published (`sent_at`) and kept for reconciliation.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    /// The event id: also `Nats-Msg-Id`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub subject: String,
    pub event_type: String,
    /// The whole envelope as JSON.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// Important-lane events are published before any routine backlog.
    pub important: bool,
    /// W3C trace context of the span that staged the event, as JSON pairs.
    #[sea_orm(column_type = "Text")]
    pub trace_context: String,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
