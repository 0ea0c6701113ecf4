use sea_orm::entity::prelude::*;

/// One expert's injury scenario on a case.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "scores")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub expert_id: String,
    #[sea_orm(column_type = "Text")]
    pub injured: String,
    pub hazard: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub scenario: String,
    /// `[{description, probability}]`.
    pub steps: Json,
    /// The product of the steps' probabilities.
    #[sea_orm(column_type = "Double")]
    pub probability: f64,
    pub severity: i32,
    /// The matrix's level at the time of scoring.
    pub level: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub rationale: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
