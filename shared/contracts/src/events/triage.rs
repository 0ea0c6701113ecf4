//! Events triage publishes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{subjects::v1, Casualties, Event, Lane, RiskLevel};

/// Triage classified a report against the key-supervision catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportClassified {
    pub report_id: Uuid,
    /// Catalogue category code, or `None` when confidence was too low (unclassified queue).
    #[serde(default)]
    pub category: Option<String>,
    /// 0.0 to 1.0.
    pub confidence: f64,
    #[serde(default)]
    pub hazards: Vec<String>,
    pub important: bool,
    /// Why the report counts as important, when it does.
    #[serde(default)]
    pub importance_reason: Option<String>,
    pub catalogue_version: u32,
    pub classified_at: DateTime<Utc>,
}

impl Event for ReportClassified {
    const TYPE: &'static str = "report.classified";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::REPORT_CLASSIFIED.to_owned()
    }
}

/// An important risk: to be fanned out to subscribed regulators at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRaised {
    pub alert_id: Uuid,
    pub report_id: Uuid,
    pub product: String,
    #[serde(default)]
    pub category: Option<String>,
    pub districts: Vec<String>,
    #[serde(default)]
    pub hazards: Vec<String>,
    #[serde(default)]
    pub casualties: Option<Casualties>,
    pub station_id: Uuid,
    pub station_code: String,
    pub level: RiskLevel,
    /// Why triage raised it.
    pub reason: String,
    /// When intake accepted the report.
    pub received_at: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
}

impl Event for AlertRaised {
    const TYPE: &'static str = "alert.raised";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::ALERT_RAISED.to_owned()
    }

    fn lane(&self) -> Lane {
        Lane::Important
    }
}
