//! What assessment answers with.

use chrono::{DateTime, Utc};
use prism_contracts::events::assessment::WarningDraftText;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::assessment::AssessmentView;
use crate::store::{
    entities::{case, decision},
    list_of,
};

/// A case.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: Uuid,
    /// The alert that opened it; absent for a case opened by hand.
    pub alert_id: Option<Uuid>,
    pub report_ids: Vec<Uuid>,
    pub product: String,
    pub category: Option<String>,
    pub districts: Vec<String>,
    /// The alert's level (`low` … `serious`), before assessment.
    pub initial_level: Option<String>,
    /// `open` or `decided`.
    pub status: String,
    /// When assessment is due (important risks).
    pub deadline: Option<DateTime<Utc>>,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    /// The escalated signal that opened it, if one did.
    pub signal_id: Option<Uuid>,
    /// The reporting stations (ids and codes) and involved enterprises: parties whose
    /// experts are kept off the panel.
    pub stations: Vec<String>,
    pub enterprises: Vec<String>,
    /// When the case was found past its deadline undecided.
    pub overdue_at: Option<DateTime<Utc>>,
    /// The panel's expert ids (one case only, not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub panel: Option<Vec<String>>,
    /// Scores, computed level and failed safety indicators (one case only, not in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assessment: Option<AssessmentView>,
}

impl From<case::Model> for CaseView {
    fn from(row: case::Model) -> Self {
        Self {
            report_ids: list_of(&row.report_ids),
            districts: list_of(&row.districts),
            id: row.id,
            alert_id: row.alert_id,
            product: row.product,
            category: row.category,
            initial_level: row.initial_level,
            status: row.status,
            deadline: row.deadline,
            opened_by: row.opened_by,
            opened_at: row.opened_at,
            signal_id: row.signal_id,
            stations: row.stations.as_ref().map(list_of).unwrap_or_default(),
            enterprises: row.enterprises.as_ref().map(list_of).unwrap_or_default(),
            overdue_at: row.overdue_at,
            panel: None,
            assessment: None,
        }
    }
}

/// One version of a case's decision.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DecisionView {
    pub id: Uuid,
    pub case_id: Uuid,
    /// 1 for the first decision; each change adds one.
    pub version: i32,
    pub risk_level: String,
    /// The level experts' scores gave, when there were scores.
    pub computed_level: Option<String>,
    pub override_reason: Option<String>,
    pub measures: Vec<String>,
    pub responsible: Option<String>,
    pub act_by: Option<DateTime<Utc>>,
    /// The public warning asked for, if any.
    #[schema(value_type = Option<crate::domain::decision::WarningText>)]
    pub warning: Option<WarningDraftText>,
    pub decided_by: String,
    pub decided_at: DateTime<Utc>,
}

impl From<decision::Model> for DecisionView {
    fn from(row: decision::Model) -> Self {
        Self {
            measures: list_of(&row.measures),
            warning: row.warning.and_then(|w| serde_json::from_value(w).ok()),
            id: row.id,
            case_id: row.case_id,
            version: row.version,
            risk_level: row.risk_level,
            computed_level: row.computed_level,
            override_reason: row.override_reason,
            responsible: row.responsible,
            act_by: row.act_by,
            decided_by: row.decided_by,
            decided_at: row.decided_at,
        }
    }
}
