//! What flows to regulators' streams: alerts and published warnings.

use prism_contracts::{
    events::{triage::AlertRaised, warning::WarningPublished},
    Envelope, RiskLevel,
};
use uuid::Uuid;

/// One event of the stream, as every channel sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// The SSE `id`: the alert id, or the publication event's id. UUIDv7, so ordered.
    pub id: Uuid,
    /// The SSE `event` name: `alert` or `warning`.
    pub event: &'static str,
    /// The subscription event type: `important_alert` or `warning_published`.
    pub event_type: &'static str,
    pub level: RiskLevel,
    pub category: Option<String>,
    pub districts: Vec<String>,
    /// The SSE `data`.
    pub data: serde_json::Value,
}

impl FeedItem {
    /// An important-risk alert. Its data names the alert, report, product, category,
    /// districts, hazards, casualties, station, level, `received_at` and `raised_at`.
    pub fn alert(alert: &AlertRaised) -> Self {
        Self {
            id: alert.alert_id,
            event: "alert",
            event_type: "important_alert",
            level: alert.level,
            category: alert.category.clone(),
            districts: alert.districts.clone(),
            data: serde_json::to_value(alert).unwrap_or_default(),
        }
    }

    /// A published warning.
    pub fn warning(envelope: &Envelope<WarningPublished>) -> Self {
        let warning = &envelope.data;
        Self {
            id: envelope.id,
            event: "warning",
            event_type: "warning_published",
            level: warning.level,
            category: warning.category.clone(),
            districts: warning.districts.clone(),
            data: serde_json::to_value(warning).unwrap_or_default(),
        }
    }
}
