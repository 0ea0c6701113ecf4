use sea_orm::entity::prelude::*;

/// One delivery of one alert to one subscription over one channel: created exactly once.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub alert_id: Uuid,
    pub subscription_id: Uuid,
    pub subscriber: String,
    pub channel: String,
    /// `delivered` (for a stream: on the subscriber's stream and its replay), `pending`,
    /// `digest` (waits for the next email digest), `failed`.
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
    /// Where it goes (the channel as subscribed), copied so it survives the subscription.
    pub target: Option<Json>,
    /// The feed event it carries: `alert`, `warning`, `station_report_overdue`, `case_overdue`.
    pub event: Option<String>,
    /// When the next attempt is due; `None` once settled.
    pub next_attempt_at: Option<DateTimeUtc>,
    /// An instance working on it holds it until then.
    pub claimed_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
