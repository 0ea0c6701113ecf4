//! A public warning (风险警示): its kinds, its states, and a draft ready to store.

use chrono::{DateTime, Utc};
use prism_contracts::{
    events::assessment::{DecisionRecorded, WarningDraftText},
    RiskLevel,
};
use serde::{Deserialize, Serialize};
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

/// A type's name on screen and in feeds: Chinese, English.
pub fn type_label(warning_type: &str) -> (&'static str, &'static str) {
    match warning_type {
        "recall" => ("召回", "Recall"),
        "spot_check" => ("监督抽查", "Spot-check result"),
        "consumer_tip" => ("消费提示", "Consumer tip"),
        _ => ("风险警示", "Risk warning"),
    }
}

/// A level's name on screen: Chinese, English.
pub fn level_label(level: &str) -> (&'static str, &'static str) {
    match level {
        "serious" => ("严重", "Serious"),
        "high" => ("高", "High"),
        "medium" => ("中", "Medium"),
        _ => ("低", "Low"),
    }
}

/// A district's name: Chinese, English (the code itself when unknown).
pub fn district_label(code: &str) -> (String, String) {
    if code == super::district::SHANGHAI_CITY {
        return ("上海市".to_owned(), "Shanghai".to_owned());
    }
    super::district::SHANGHAI
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, zh, en)| ((*zh).to_owned(), (*en).to_owned()))
        .unwrap_or_else(|| (code.to_owned(), code.to_owned()))
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

/// A draft that passed every check, from a regulator or from a decision. It is also what a
/// proposed update of a published warning holds until a publisher approves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    #[serde(default)]
    pub effective_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

impl Draft {
    /// Everything searchable, in every language, lower-cased (search ignores case).
    pub fn search_text(&self) -> String {
        [
            Some(self.title_zh.as_str()),
            Some(self.summary_zh.as_str()),
            Some(self.advice_zh.as_str()),
            self.title_en.as_deref(),
            self.summary_en.as_deref(),
            self.advice_en.as_deref(),
            self.category.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("\n")
        .to_lowercase()
    }

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
            effective_at: None,
            expires_at: None,
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
