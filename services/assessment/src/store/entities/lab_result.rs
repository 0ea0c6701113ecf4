use sea_orm::entity::prelude::*;

/// One laboratory result on a case.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lab_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub indicator: String,
    pub standard: String,
    #[sea_orm(column_type = "Text")]
    pub requirement: String,
    pub measured: String,
    pub passed: bool,
    pub safety: bool,
    pub laboratory: String,
    pub report_ref: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
