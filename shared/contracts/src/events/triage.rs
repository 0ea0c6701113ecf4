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

/// A signal: reports about the same risk, as triage groups them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalSnapshot {
    pub signal_id: Uuid,
    pub product: String,
    #[serde(default)]
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub report_ids: Vec<Uuid>,
    pub report_count: u32,
    pub important: bool,
    /// `open`, `escalated`, `dismissed`, `merged`.
    pub status: String,
    /// Why the signal exists: `duplicates`, `surge`, `single_report`, `manual`.
    pub origin: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

/// A new signal was opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalOpened {
    pub signal: SignalSnapshot,
    pub opened_at: DateTime<Utc>,
}

impl Event for SignalOpened {
    const TYPE: &'static str = "signal.opened";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::SIGNAL_OPENED.to_owned()
    }
}

/// A signal changed: a report joined, or a regulator merged, split or reclassified it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalUpdated {
    pub signal: SignalSnapshot,
    /// `report_added`, `merged`, `split`, `reclassified`.
    pub change: String,
    /// Who changed it; `None` when triage did by itself.
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl Event for SignalUpdated {
    const TYPE: &'static str = "signal.updated";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::SIGNAL_UPDATED.to_owned()
    }
}

/// A signal goes to assessment: a case should be opened for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalEscalated {
    pub signal: SignalSnapshot,
    #[serde(default)]
    pub level: Option<RiskLevel>,
    /// Who escalated it; `None` when an important signal escalated by itself.
    #[serde(default)]
    pub by: Option<String>,
    pub reason: String,
    pub escalated_at: DateTime<Utc>,
}

impl Event for SignalEscalated {
    const TYPE: &'static str = "signal.escalated";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::SIGNAL_ESCALATED.to_owned()
    }
}

/// A regulator dismissed a signal: its reports are closed with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalDismissed {
    pub signal: SignalSnapshot,
    pub by: String,
    pub reason: String,
    pub dismissed_at: DateTime<Utc>,
}

impl Event for SignalDismissed {
    const TYPE: &'static str = "signal.dismissed";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::SIGNAL_DISMISSED.to_owned()
    }
}

/// An admin replaced the key-supervision catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogueUpdated {
    pub version: u32,
    /// Category codes in the new version.
    pub categories: Vec<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl Event for CatalogueUpdated {
    const TYPE: &'static str = "catalogue.updated";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::CATALOGUE_UPDATED.to_owned()
    }
}
