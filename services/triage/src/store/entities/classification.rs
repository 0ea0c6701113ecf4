//! A report as triage classified it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "classifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub report_id: Uuid,
    pub station_id: Uuid,
    pub kind: String,
    pub product: String,
    pub districts: Json,
    pub category: Option<String>,
    pub confidence: f64,
    pub hazards: Json,
    pub important: bool,
    pub importance_reason: Option<String>,
    pub catalogue_version: i32,
    pub received_at: DateTimeUtc,
    pub classified_at: DateTimeUtc,
    /// Product, content and analysis: what duplicates are compared on.
    pub text: Option<String>,
    /// MinHash signature of `text` as JSON: rows written before `signature` existed.
    pub fingerprint: Option<Json>,
    /// The best category when below the threshold, for the person who decides.
    pub candidate: Option<String>,
    /// Who classified it by hand, if anyone.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTimeUtc>,
    /// MinHash signature of `text` in [`crate::domain::similarity::Signature::to_bytes`]'s form.
    pub signature: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
