//! Events intake publishes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{subjects::v1, Casualties, Event, Lane, ReportKind};

/// A station's report was accepted (the station got its `201`). Carries everything triage
/// needs, so triage never has to ask intake.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportReceived {
    pub report_id: Uuid,
    pub station_id: Uuid,
    pub station_code: String,
    pub station_kind: String,
    pub kind: ReportKind,
    pub product: String,
    /// The station's own category, if it gave one; triage decides the final one.
    #[serde(default)]
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub content: String,
    #[serde(default)]
    pub analysis: Option<String>,
    #[serde(default)]
    pub recommendation: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub hazards: Vec<String>,
    #[serde(default)]
    pub casualties: Option<Casualties>,
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    /// Reporting period `YYYY-MM` (25th of the previous month to the 24th).
    pub period: String,
}

impl Event for ReportReceived {
    const TYPE: &'static str = "report.received";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::report_received(self.lane())
    }

    fn lane(&self) -> Lane {
        match self.kind {
            ReportKind::Important => Lane::Important,
            ReportKind::Routine | ReportKind::Annual => Lane::Routine,
        }
    }
}

/// A station missed a monthly due date (the 25th, moved to the next working day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StationReportOverdue {
    pub station_id: Uuid,
    pub station_code: String,
    pub station_name: String,
    pub districts: Vec<String>,
    /// The period (`YYYY-MM`) with no routine submission.
    pub period: String,
    /// The due date it missed, `YYYY-MM-DD` in Shanghai.
    pub due_date: String,
    pub detected_at: DateTime<Utc>,
}

impl Event for StationReportOverdue {
    const TYPE: &'static str = "station.report_overdue";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::STATION_REPORT_OVERDUE.to_owned()
    }
}
