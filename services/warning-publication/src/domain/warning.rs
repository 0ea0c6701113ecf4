//! A public warning (风险警示): its kinds, its states, and a draft ready to store.

use prism_contracts::{
    events::assessment::{DecisionRecorded, WarningDraftText},
    RiskLevel,
};
use uuid::Uuid;

/// The kinds of warning of INTERFACE.md.
pub const TYPES: [&str; 4] = ["risk_warning", "recall", "spot_check", "consumer_tip"];

/// The kind a decision's warning is: assessment asks for risk warnings.
pub const RISK_WARNING: &str = "risk_warning";

/// Where a warning is in its life. Only a published warning (or one cancelled after it was
/// published) is the public's to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Draft,
    Published,
    Cancelled,
}

impl Status {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A draft that passed every check, from a regulator or from a decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub warning_type: String,
    pub title_zh: String,
    pub summary_zh: String,
    pub advice_zh: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub advice_en: Option<String>,
    pub level: RiskLevel,
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub case_id: Option<Uuid>,
    pub report_ids: Vec<Uuid>,
}

impl Draft {
    /// The draft a decision asks for. Assessment has already judged it, so it is taken as is.
    pub fn from_decision(decision: &DecisionRecorded, text: &WarningDraftText) -> Self {
        Self {
            warning_type: RISK_WARNING.to_owned(),
            title_zh: text.title_zh.clone(),
            summary_zh: text.summary_zh.clone(),
            advice_zh: text.advice_zh.clone(),
            title_en: text.title_en.clone(),
            summary_en: text.summary_en.clone(),
            advice_en: text.advice_en.clone(),
            level: decision.risk_level,
            category: decision.category.clone(),
            districts: decision.districts.clone(),
            case_id: Some(decision.case_id),
            report_ids: decision.report_ids.clone(),
        }
    }
}

/// Whether `code` looks like a catalogue category code.
pub fn is_category_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
