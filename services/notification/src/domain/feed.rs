//! What flows to regulators: alerts, published warnings, overdue station reports and
//! overdue cases.

use prism_contracts::{
    events::{
        assessment::CaseOverdue, intake::StationReportOverdue, triage::AlertRaised,
        warning::WarningPublished,
    },
    Envelope, RawEnvelope, RiskLevel,
};
use uuid::Uuid;

/// The kinds of feed event: (SSE `event` name, subscription event type).
pub const KINDS: [(&str, &str); 4] = [
    ("alert", "important_alert"),
    ("warning", "warning_published"),
    ("station_report_overdue", "overdue_station_report"),
    ("case_overdue", "case_overdue"),
];

/// One event of the stream, as every channel sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    /// The SSE `id`: the alert id, or the announcing event's id. UUIDv7, so ordered.
    pub id: Uuid,
    /// The SSE `event` name: `alert`, `warning`, `station_report_overdue`, `case_overdue`.
    pub event: &'static str,
    /// The subscription event type (see [`KINDS`]).
    pub event_type: &'static str,
    /// Alerts and warnings have a level; overdue notices have none.
    pub level: Option<RiskLevel>,
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
            level: Some(alert.level),
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
            level: Some(warning.level),
            category: warning.category.clone(),
            districts: warning.districts.clone(),
            data: serde_json::to_value(warning).unwrap_or_default(),
        }
    }

    /// A station missed its monthly due date.
    pub fn station_overdue(envelope: &Envelope<StationReportOverdue>) -> Self {
        Self {
            id: envelope.id,
            event: "station_report_overdue",
            event_type: "overdue_station_report",
            level: None,
            category: None,
            districts: envelope.data.districts.clone(),
            data: serde_json::to_value(&envelope.data).unwrap_or_default(),
        }
    }

    /// A case passed its deadline undecided.
    pub fn case_overdue(envelope: &Envelope<CaseOverdue>) -> Self {
        Self {
            id: envelope.id,
            event: "case_overdue",
            event_type: "case_overdue",
            level: None,
            category: envelope.data.category.clone(),
            districts: envelope.data.districts.clone(),
            data: serde_json::to_value(&envelope.data).unwrap_or_default(),
        }
    }

    /// The item an event announces, if it is one notification passes on.
    pub fn from_event(raw: RawEnvelope) -> Result<Option<Self>, prism_contracts::DecodeError> {
        Ok(match raw.event_type.clone().as_str() {
            "alert.raised" => Some(Self::alert(&raw.decode::<AlertRaised>()?.data)),
            "warning.published" => Some(Self::warning(&raw.decode()?)),
            "station.report_overdue" => Some(Self::station_overdue(&raw.decode()?)),
            "case.overdue" => Some(Self::case_overdue(&raw.decode()?)),
            _ => None,
        })
    }

    /// The static names of an SSE event name read back from storage.
    pub fn kind(event: &str) -> (&'static str, &'static str) {
        KINDS
            .iter()
            .find(|(name, _)| *name == event)
            .copied()
            .unwrap_or(KINDS[0])
    }

    /// Important alerts never wait for a digest.
    pub fn is_important(&self) -> bool {
        self.event == "alert"
    }

    /// A one-line subject for an email, in Chinese with the English.
    pub fn subject(&self) -> String {
        let product = self.data["product"]
            .as_str()
            .or_else(|| self.data["title_zh"].as_str())
            .or_else(|| self.data["station_name"].as_str())
            .unwrap_or_default();
        let label = match self.event {
            "alert" => "重要风险警报 Important risk alert",
            "warning" => "风险警示已发布 Warning published",
            "station_report_overdue" => "监测站逾期未报 Station report overdue",
            _ => "评估案件逾期 Case overdue",
        };
        format!("[PRISM] {label}: {product}")
    }
}
