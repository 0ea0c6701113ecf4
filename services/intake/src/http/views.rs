//! What intake answers with.

use chrono::{DateTime, Utc};
use prism_contracts::Casualties;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::{
    entities::{report, station, timeline},
    reports::{casualties, strings},
};

/// A station as admins and regulators see it.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StationView {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub districts: Vec<String>,
    pub contact: Option<crate::domain::station::Contact>,
    pub created_at: DateTime<Utc>,
}

impl From<station::Model> for StationView {
    fn from(row: station::Model) -> Self {
        let contact = match (row.contact_name, row.contact_phone) {
            (Some(name), Some(phone)) => Some(crate::domain::station::Contact { name, phone }),
            _ => None,
        };
        Self {
            id: row.id,
            code: row.code,
            name: row.name,
            kind: row.kind,
            districts: strings(&row.districts),
            contact,
            created_at: row.created_at,
        }
    }
}

/// A newly issued key: `api_key` is shown this once and never again.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IssuedKey {
    pub key_id: String,
    pub station_id: Uuid,
    pub api_key: String,
    pub created_at: DateTime<Utc>,
}

/// The `201` answer to a submitted report.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportAccepted {
    pub id: Uuid,
    pub kind: String,
    pub status: String,
    pub received_at: DateTime<Utc>,
    /// Reporting period `YYYY-MM`.
    pub period: String,
}

impl From<&report::Model> for ReportAccepted {
    fn from(row: &report::Model) -> Self {
        Self {
            id: row.id,
            kind: row.kind.clone(),
            status: row.status.clone(),
            received_at: row.received_at,
            period: row.period.clone(),
        }
    }
}

/// A report in full.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReportView {
    pub id: Uuid,
    pub station_id: Uuid,
    pub kind: String,
    pub product: String,
    pub category: Option<String>,
    pub enterprise_count: Option<i32>,
    pub districts: Vec<String>,
    pub content: String,
    pub analysis: Option<String>,
    pub recommendation: Option<String>,
    pub source: Option<String>,
    pub hazards: Vec<String>,
    #[schema(value_type = Option<Object>)]
    pub casualties: Option<Casualties>,
    pub occurred_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<Object>)]
    pub reporter: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub ecommerce: Option<serde_json::Value>,
    pub status: String,
    pub period: String,
    pub received_at: DateTime<Utc>,
}

impl From<report::Model> for ReportView {
    fn from(row: report::Model) -> Self {
        let reporter = row
            .reporter_name
            .as_ref()
            .map(|name| serde_json::json!({"name": name, "phone": row.reporter_phone}));
        Self {
            casualties: casualties(&row),
            districts: strings(&row.districts),
            hazards: strings(&row.hazards),
            id: row.id,
            station_id: row.station_id,
            kind: row.kind,
            product: row.product,
            category: row.category,
            enterprise_count: row.enterprise_count,
            content: row.content,
            analysis: row.analysis,
            recommendation: row.recommendation,
            source: row.source,
            occurred_at: row.occurred_at,
            reporter,
            ecommerce: row.ecommerce,
            status: row.status,
            period: row.period,
            received_at: row.received_at,
        }
    }
}

/// One step of a report's timeline.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineStep {
    /// `received`, `classified`, `alerted`, `alert_delivered`, `case_opened`, `decided`,
    /// `warning_published`, `closed`.
    pub step: String,
    pub at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<timeline::Model> for TimelineStep {
    fn from(row: timeline::Model) -> Self {
        Self {
            step: row.step,
            at: row.at,
            detail: row.detail,
        }
    }
}
