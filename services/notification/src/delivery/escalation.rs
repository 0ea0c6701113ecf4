//! Escalation: an important alert nobody acknowledged within `escalation.after_secs` goes,
//! once, to the configured escalation contacts by email. The escalation is recorded on the
//! alert, each contact gets a delivery record like any subscriber, and `AlertEscalated` is
//! announced, all in one transaction; the conditional update makes it happen once even
//! with several instances.

use std::{sync::Arc, time::Duration};

use chrono::{DateTime, Utc};
use prism_contracts::{events::notification::AlertEscalated, Envelope};
use prism_messaging::Outbox;
use sea_orm::{DatabaseConnection, TransactionTrait as _};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{
    config::EscalationSettings,
    domain::subscription::Channel,
    store::{alerts, deliveries},
    NAME,
};

/// Escalates overdue alerts.
pub struct Escalation {
    pub db: DatabaseConnection,
    pub outbox: Outbox,
    pub settings: EscalationSettings,
    /// Wakes the delivery worker for the contacts' emails.
    pub dispatch: Arc<Notify>,
}

impl Escalation {
    /// Checks every quarter of the allowed time (at most every 30 s) until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        let every = Duration::from_millis(self.settings.after_secs.saturating_mul(250))
            .clamp(Duration::from_millis(100), Duration::from_secs(30));
        loop {
            if let Err(error) = self.escalate_due_at(Utc::now()).await {
                tracing::warn!(error = %error, "escalation round failed");
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = shutdown.cancelled() => break,
            }
        }
    }

    /// Escalates every alert that is due at `now`; returns how many. The time is given, not
    /// read, so that a test can hold the clock: escalation is judged without waiting an hour.
    pub async fn escalate_due_at(&self, now: DateTime<Utc>) -> anyhow::Result<usize> {
        let allowed = chrono::Duration::seconds(i64::try_from(self.settings.after_secs)?);
        let mut escalated = 0;
        for alert in alerts::unacknowledged_before(&self.db, now - allowed).await? {
            let contacts = &self.settings.contacts;
            let txn = self.db.begin().await?;
            if !alerts::escalate(&txn, alert.id, contacts, now).await? {
                txn.rollback().await?;
                continue;
            }
            for contact in contacts {
                let channel = Channel::Email {
                    address: contact.clone(),
                    digest: false,
                };
                deliveries::add(
                    &txn,
                    deliveries::NewDelivery {
                        item_id: alert.id,
                        event: "alert",
                        // Contacts have no subscription; a stable id per (alert, contact)
                        // keeps their delivery unique like any other.
                        subscription_id: Uuid::new_v5(&alert.id, contact.as_bytes()),
                        subscriber: contact,
                        channel: "email",
                        target: Some(serde_json::to_value(&channel)?),
                        status: "pending",
                    },
                )
                .await?;
            }
            let event = AlertEscalated {
                alert_id: alert.id,
                report_id: alert.report_id,
                contacts: contacts.clone(),
                escalated_at: now,
            };
            self.outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
            txn.commit().await?;
            self.outbox.committed();
            self.dispatch.notify_one();
            metrics::counter!("notification_alerts_escalated_total").increment(1);
            tracing::warn!(alert = %alert.id, "alert unacknowledged in time; escalated");
            escalated += 1;
        }
        Ok(escalated)
    }
}
