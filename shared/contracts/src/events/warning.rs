//! Events warning-publication publishes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{subjects::v1, Event, RiskLevel};

/// A warning draft exists, written by a regulator or asked for by a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningDrafted {
    pub warning_id: Uuid,
    #[serde(default)]
    pub case_id: Option<Uuid>,
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    pub title_zh: String,
    pub level: RiskLevel,
    pub drafted_by: String,
    pub drafted_at: DateTime<Utc>,
}

impl Event for WarningDrafted {
    const TYPE: &'static str = "warning.drafted";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::WARNING_DRAFTED.to_owned()
    }
}

/// A warning went out to the public.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningPublished {
    pub warning_id: Uuid,
    pub version: u32,
    #[serde(default)]
    pub case_id: Option<Uuid>,
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    pub warning_type: String,
    pub title_zh: String,
    #[serde(default)]
    pub title_en: Option<String>,
    pub level: RiskLevel,
    #[serde(default)]
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub published_at: DateTime<Utc>,
}

impl Event for WarningPublished {
    const TYPE: &'static str = "warning.published";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::WARNING_PUBLISHED.to_owned()
    }
}
