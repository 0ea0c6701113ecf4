//! Events assessment publishes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{subjects::v1, Event, RiskLevel};

/// A case was opened for assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseOpened {
    pub case_id: Uuid,
    #[serde(default)]
    pub alert_id: Option<Uuid>,
    pub report_ids: Vec<Uuid>,
    pub product: String,
    #[serde(default)]
    pub category: Option<String>,
    pub districts: Vec<String>,
    #[serde(default)]
    pub deadline: Option<DateTime<Utc>>,
    pub opened_at: DateTime<Utc>,
}

impl Event for CaseOpened {
    const TYPE: &'static str = "case.opened";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::CASE_OPENED.to_owned()
    }
}

/// The text of a public warning that a decision asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningDraftText {
    pub title_zh: String,
    pub summary_zh: String,
    pub advice_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub summary_en: Option<String>,
    #[serde(default)]
    pub advice_en: Option<String>,
}

/// A regulator recorded a decision on a case. Decisions are append-only: a change is a new
/// version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecorded {
    pub case_id: Uuid,
    pub decision_id: Uuid,
    pub version: u32,
    pub risk_level: RiskLevel,
    pub measures: Vec<String>,
    pub product: String,
    #[serde(default)]
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub report_ids: Vec<Uuid>,
    /// Present when the decision asks for a public warning.
    #[serde(default)]
    pub warning: Option<WarningDraftText>,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

impl Event for DecisionRecorded {
    const TYPE: &'static str = "decision.recorded";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::DECISION_RECORDED.to_owned()
    }
}

/// Experts were drawn for a case ("double random").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertsAssigned {
    pub case_id: Uuid,
    /// The experts' ids (their token `sub`).
    pub experts: Vec<String>,
    pub report_ids: Vec<Uuid>,
    pub assigned_by: String,
    pub assigned_at: DateTime<Utc>,
}

impl Event for ExpertsAssigned {
    const TYPE: &'static str = "case.experts_assigned";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::EXPERTS_ASSIGNED.to_owned()
    }
}

/// An expert scored a case, or a lab result arrived; the case's computed level follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseAssessed {
    pub case_id: Uuid,
    pub report_ids: Vec<Uuid>,
    /// The level over every scenario and expert, once there is one.
    #[serde(default)]
    pub level: Option<RiskLevel>,
    /// Whether the experts' levels differ.
    pub disagreement: bool,
    pub assessed_by: String,
    pub assessed_at: DateTime<Utc>,
}

impl Event for CaseAssessed {
    const TYPE: &'static str = "case.assessed";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::CASE_ASSESSED.to_owned()
    }
}

/// An important case passed its deadline without a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseOverdue {
    pub case_id: Uuid,
    pub report_ids: Vec<Uuid>,
    pub product: String,
    #[serde(default)]
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub deadline: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
}

impl Event for CaseOverdue {
    const TYPE: &'static str = "case.overdue";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::CASE_OVERDUE.to_owned()
    }
}
