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

/// A published warning got a new version; the public sees the current one and that it changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningUpdated {
    pub warning: WarningPublished,
    /// The version it replaces.
    pub previous_version: u32,
    pub reason: String,
    pub updated_by: String,
}

impl Event for WarningUpdated {
    const TYPE: &'static str = "warning.updated";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::WARNING_UPDATED.to_owned()
    }
}

/// A warning was withdrawn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningCancelled {
    pub warning_id: Uuid,
    pub version: u32,
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    /// Whether it had been public before it was withdrawn.
    pub was_published: bool,
    pub reason: String,
    pub cancelled_by: String,
    pub cancelled_at: DateTime<Utc>,
}

impl Event for WarningCancelled {
    const TYPE: &'static str = "warning.cancelled";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::WARNING_CANCELLED.to_owned()
    }
}
