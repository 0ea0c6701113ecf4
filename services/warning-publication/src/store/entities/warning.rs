use sea_orm::entity::prelude::*;

/// A warning in any state: draft, published or cancelled.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "warnings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// See [`crate::domain::warning::Status`].
    pub status: String,
    /// One of [`crate::domain::warning::TYPES`].
    pub warning_type: String,
    pub title_zh: String,
    #[sea_orm(column_type = "Text")]
    pub summary_zh: String,
    #[sea_orm(column_type = "Text")]
    pub advice_zh: String,
    pub title_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub summary_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub advice_en: Option<String>,
    pub level: String,
    pub category: Option<String>,
    pub districts: Json,
    /// See [`crate::store::district_index`].
    #[sea_orm(column_type = "Text")]
    pub district_index: String,
    pub case_id: Option<Uuid>,
    pub report_ids: Json,
    pub drafted_by: String,
    pub approved_by: Option<String>,
    /// The published version: 0 until first published.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// When the warning takes effect, if not at publication.
    pub effective_at: Option<DateTimeUtc>,
    /// When it stops applying.
    pub expires_at: Option<DateTimeUtc>,
    /// Who last edited the draft: they may not approve it either.
    pub last_edited_by: Option<String>,
    /// Why the current version replaced the previous one.
    #[sea_orm(column_type = "Text", nullable)]
    pub change_note: Option<String>,
    /// A proposed new version of a published warning, awaiting a publisher
    /// (a [`crate::domain::warning::Draft`] as JSON).
    pub pending: Option<Json>,
    pub pending_by: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub pending_reason: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<DateTimeUtc>,
    /// Lower-cased text of every language, for search (see the migration).
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
