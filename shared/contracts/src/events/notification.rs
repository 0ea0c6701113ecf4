//! Events notification publishes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{subjects::v1, Event};

/// An alert reached a subscriber over a channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertDelivered {
    pub alert_id: Uuid,
    pub report_id: Uuid,
    /// The subscriber; `stream` when one event stands for every stream subscriber.
    pub subscriber: String,
    pub channel: String,
    pub delivered_at: DateTime<Utc>,
    /// On the stream channel: every subscriber the alert reached, in one event rather than
    /// one event each (a thousand regulators would otherwise mean a thousand events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscribers: Vec<String>,
}

impl Event for AlertDelivered {
    const TYPE: &'static str = "alert.delivered";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::ALERT_DELIVERED.to_owned()
    }
}

/// A regulator acknowledged an alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertAcknowledged {
    pub alert_id: Uuid,
    pub report_id: Uuid,
    pub by: String,
    pub acknowledged_at: DateTime<Utc>,
}

impl Event for AlertAcknowledged {
    const TYPE: &'static str = "alert.acknowledged";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::ALERT_ACKNOWLEDGED.to_owned()
    }
}

/// Nobody acknowledged an important alert in time; the escalation contacts were told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEscalated {
    pub alert_id: Uuid,
    pub report_id: Uuid,
    pub contacts: Vec<String>,
    pub escalated_at: DateTime<Utc>,
}

impl Event for AlertEscalated {
    const TYPE: &'static str = "alert.escalated";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::ALERT_ESCALATED.to_owned()
    }
}
