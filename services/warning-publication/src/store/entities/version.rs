use sea_orm::entity::prelude::*;

/// One published version of a warning, as the public saw it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "warning_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub warning_id: Uuid,
    pub version: i32,
    /// The public view of that version ([`crate::http::views::PublicWarning`]).
    pub snapshot: Json,
    /// Why it replaced the previous version; none for the first.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub approved_by: String,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
