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
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_edited_by: Option<String>,
    /// A proposed next version awaiting a publisher, with who proposed it and why.
    #[schema(value_type = Option<Object>)]
    pub pending: Option<serde_json::Value>,
    pub pending_by: Option<String>,
    pub pending_reason: Option<String>,
    pub change_note: Option<String>,
    pub cancel_reason: Option<String>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
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
            effective_at: row.effective_at,
            expires_at: row.expires_at,
            last_edited_by: row.last_edited_by,
            pending: row.pending,
            pending_by: row.pending_by,
            pending_reason: row.pending_reason,
            change_note: row.change_note,
            cancel_reason: row.cancel_reason,
            cancelled_by: row.cancelled_by,
            cancelled_at: row.cancelled_at,
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
    /// The current version; earlier ones are at `/v1/warnings/{id}/versions`.
    pub version: i32,
    /// Whether it changed since it was first published (updated or cancelled).
    pub changed: bool,
    /// Why the current version replaced the previous one.
    pub change_note: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Why it was withdrawn, when it was.
    pub cancel_reason: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
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
            changed: row.version > 1 || row.cancelled_at.is_some(),
            version: row.version,
            change_note: row.change_note,
            published_at: row.published_at,
            updated_at: row.updated_at,
            effective_at: row.effective_at,
            expires_at: row.expires_at,
            cancel_reason: row.cancel_reason,
            cancelled_at: row.cancelled_at,
        }
    }
}

/// One published version of a warning, as the public saw it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionView {
    pub version: i32,
    pub published_at: DateTime<Utc>,
    /// Why it replaced the previous version; none for the first.
    pub reason: Option<String>,
    /// What it said.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
}

impl From<crate::store::entities::version::Model> for VersionView {
    fn from(row: crate::store::entities::version::Model) -> Self {
        Self {
            version: row.version,
            published_at: row.published_at,
            reason: row.reason,
            content: row.snapshot,
        }
    }
}

/// A message the public left, as regulators read it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackView {
    pub id: Uuid,
    pub message: String,
    pub contact: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
}

impl From<crate::store::entities::feedback::Model> for FeedbackView {
    fn from(row: crate::store::entities::feedback::Model) -> Self {
        Self {
            id: row.id,
            message: row.message,
            contact: row.contact,
            language: row.language,
            created_at: row.created_at,
        }
    }
}
