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
    /// `on_stream` (available on the subscriber's stream and its replay), `pending`,
    /// `delivered`, `failed`.
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
