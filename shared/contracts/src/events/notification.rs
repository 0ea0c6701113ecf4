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
    pub subscriber: String,
    pub channel: String,
    pub delivered_at: DateTime<Utc>,
}

impl Event for AlertDelivered {
    const TYPE: &'static str = "alert.delivered";
    const SCHEMA_VERSION: u32 = 1;

    fn subject(&self) -> String {
        v1::ALERT_DELIVERED.to_owned()
    }
}
