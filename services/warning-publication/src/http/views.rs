//! What warning-publication answers with.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::{entities::warning, list_of};

/// A warning in full, as regulators and publishers see it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WarningView {
    pub id: Uuid,
    /// `draft`, `published` or `cancelled`.
    pub status: String,
    /// `risk_warning`, `recall`, `spot_check` or `consumer_tip`.
    #[serde(rename = "type")]
    pub warning_type: String,
    pub title_zh: String,
    pub summary_zh: String,
    pub advice_zh: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub advice_en: Option<String>,
    /// `low`, `medium`, `high` or `serious`.
    pub level: String,
    pub category: Option<String>,
    pub districts: Vec<String>,
    /// The assessment case it came from, if any.
    pub case_id: Option<Uuid>,
    pub report_ids: Vec<Uuid>,
    pub drafted_by: String,
    pub approved_by: Option<String>,
    /// The published version: 0 until first published.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<warning::Model> for WarningView {
    fn from(row: warning::Model) -> Self {
        Self {
            districts: list_of(&row.districts),
            report_ids: list_of(&row.report_ids),
            id: row.id,
            status: row.status,
            warning_type: row.warning_type,
            title_zh: row.title_zh,
            summary_zh: row.summary_zh,
            advice_zh: row.advice_zh,
            title_en: row.title_en,
            summary_en: row.summary_en,
            advice_en: row.advice_en,
            level: row.level,
            category: row.category,
            case_id: row.case_id,
            drafted_by: row.drafted_by,
            approved_by: row.approved_by,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
            published_at: row.published_at,
        }
    }
}

/// A published warning as the public sees it: what it says, not who inside wrote it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicWarning {
    pub id: Uuid,
    /// `published`, or `cancelled` when withdrawn after publication.
    pub status: String,
    #[serde(rename = "type")]
    pub warning_type: String,
    pub title_zh: String,
    pub summary_zh: String,
    pub advice_zh: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub advice_en: Option<String>,
    pub level: String,
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub version: i32,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<warning::Model> for PublicWarning {
    fn from(row: warning::Model) -> Self {
        Self {
            districts: list_of(&row.districts),
            id: row.id,
            status: row.status,
            warning_type: row.warning_type,
            title_zh: row.title_zh,
            summary_zh: row.summary_zh,
            advice_zh: row.advice_zh,
            title_en: row.title_en,
            summary_en: row.summary_en,
            advice_en: row.advice_en,
            level: row.level,
            category: row.category,
            version: row.version,
            published_at: row.published_at,
            updated_at: row.updated_at,
        }
    }
}
