//! A signal: reports about one risk, as triage groups them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "signals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub product: String,
    pub category: Option<String>,
    pub districts: Json,
    /// `,310115,310104,`: lets a district filter be a `LIKE` on both databases.
    pub district_index: String,
    pub report_count: i32,
    pub important: bool,
    /// `open`, `escalated`, `dismissed`, `merged`.
    pub status: String,
    /// `duplicates`, `surge`, `single_report`, `manual`.
    pub origin: String,
    /// `category/district/day` of a surge signal: one per day and place.
    #[sea_orm(unique)]
    pub surge_key: Option<String>,
    /// The risk level of its most serious important report.
    pub level: Option<String>,
    pub first_seen: DateTimeUtc,
    pub last_seen: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
