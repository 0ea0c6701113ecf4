use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub station_id: Uuid,
    pub kind: String,
    pub product: String,
    pub category: Option<String>,
    pub enterprise_count: Option<i32>,
    pub districts: Json,
    /// See [`crate::store::district_index`].
    pub district_index: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub analysis: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub recommendation: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub source: Option<String>,
    pub hazards: Json,
    pub deaths: Option<i32>,
    pub injuries: Option<i32>,
    pub occurred_at: Option<DateTimeUtc>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub ecommerce: Option<Json>,
    pub status: String,
    pub period: String,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
