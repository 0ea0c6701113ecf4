use sea_orm::entity::prelude::*;

/// An event of the regulators' stream, kept for `Last-Event-ID` replay.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feed")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event: String,
    pub level: String,
    pub category: Option<String>,
    pub district_index: String,
    pub data: Json,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
