//! What triage's API answers with.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::store::entities::{classification, signal, signal_action};

/// How triage classified one report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClassificationView {
    pub report_id: Uuid,
    pub product: String,
    pub districts: Vec<String>,
    /// `null` while the report waits in the unclassified queue.
    pub category: Option<String>,
    /// The best guess below the threshold, for the person who decides.
    pub candidate: Option<String>,
    pub confidence: f64,
    pub hazards: Vec<String>,
    pub important: bool,
    pub importance_reason: Option<String>,
    /// The catalogue version the category comes from.
    pub catalogue_version: i32,
    pub received_at: DateTime<Utc>,
    pub classified_at: DateTime<Utc>,
    /// Who classified it by hand, and when.
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl From<classification::Model> for ClassificationView {
    fn from(row: classification::Model) -> Self {
        Self {
            districts: crate::store::classifications::districts(&row),
            hazards: serde_json::from_value(row.hazards).unwrap_or_default(),
            report_id: row.report_id,
            product: row.product,
            category: row.category,
            candidate: row.candidate,
            confidence: row.confidence,
            important: row.important,
            importance_reason: row.importance_reason,
            catalogue_version: row.catalogue_version,
            received_at: row.received_at,
            classified_at: row.classified_at,
            reviewed_by: row.reviewed_by,
            reviewed_at: row.reviewed_at,
        }
    }
}

/// A signal in the regulator's queue.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignalView {
    pub id: Uuid,
    pub product: String,
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub report_count: i32,
    pub important: bool,
    /// `serious` or `high` when important.
    pub level: Option<String>,
    /// `open`, `escalated`, `dismissed`, `merged`.
    pub status: String,
    /// `duplicates`, `surge`, `single_report`, `manual`.
    pub origin: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<signal::Model> for SignalView {
    fn from(row: signal::Model) -> Self {
        Self {
            districts: serde_json::from_value(row.districts).unwrap_or_default(),
            id: row.id,
            product: row.product,
            category: row.category,
            report_count: row.report_count,
            important: row.important,
            level: row.level,
            status: row.status,
            origin: row.origin,
            first_seen: row.first_seen,
            last_seen: row.last_seen,
            updated_at: row.updated_at,
        }
    }
}

/// One signal with its reports and its audit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignalDetail {
    #[serde(flatten)]
    pub signal: SignalView,
    pub report_ids: Vec<Uuid>,
    pub history: Vec<ActionView>,
}

/// One audited action: who, when, what, why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActionView {
    pub action: String,
    /// `null` when triage acted by itself.
    pub by: Option<String>,
    pub reason: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub at: DateTime<Utc>,
}

impl From<signal_action::Model> for ActionView {
    fn from(row: signal_action::Model) -> Self {
        Self {
            action: row.action,
            by: row.actor,
            reason: row.reason,
            detail: row.detail,
            at: row.at,
        }
    }
}
