//! What notification consumes durably: important alerts, published warnings, overdue station
//! reports and overdue cases. Each is appended to the replayable feed, and every matching
//! subscription gets one delivery record per channel, created exactly once however often
//! the event is redelivered or announced again. Stream deliveries are done on commit (the
//! feed is the stream's replay) and announced as `AlertDelivered` in the same transaction;
//! webhook and email deliveries are left `pending` for the delivery worker, woken after
//! the commit.

use std::sync::Arc;

use prism_contracts::{
    events::{notification::AlertDelivered, triage::AlertRaised},
    subjects::v1,
    Envelope, RawEnvelope,
};
use prism_messaging::{Apply, ApplyError, ConsumerSpec, Outbox};
use sea_orm::DatabaseTransaction;
use tokio::sync::Notify;

use crate::{
    domain::{feed::FeedItem, subscription::Channel},
    store::{alerts, deliveries, feed, subscriptions},
    NAME,
};

/// The consumers: alerts in the important lane, the other event types each in their own.
pub fn consumers(handler: Arc<Notification>) -> Vec<(ConsumerSpec, Arc<Notification>)> {
    vec![
        (
            ConsumerSpec::new(
                v1::TRIAGE_ALERTS.name,
                "notification-alerts",
                &[v1::ALERT_RAISED],
            ),
            handler.clone(),
        ),
        (
            ConsumerSpec::new(
                v1::WARNING_PUBLICATION.name,
                "notification-warnings",
                &[v1::WARNING_PUBLISHED],
            ),
            handler.clone(),
        ),
        (
            ConsumerSpec::new(
                v1::INTAKE.name,
                "notification-overdue-stations",
                &[v1::STATION_REPORT_OVERDUE],
            ),
            handler.clone(),
        ),
        (
            ConsumerSpec::new(
                v1::ASSESSMENT.name,
                "notification-overdue-cases",
                &[v1::CASE_OVERDUE],
            ),
            handler,
        ),
    ]
}

/// Records events and their deliveries.
pub struct Notification {
    pub outbox: Outbox,
    /// Wakes the delivery worker once the deliveries are committed.
    pub dispatch: Arc<Notify>,
}

impl Apply for Notification {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let alert = if event.event_type == "alert.raised" {
            Some(event.clone().decode::<AlertRaised>()?)
        } else {
            None
        };
        let Some(item) = FeedItem::from_event(event)? else {
            return Ok(());
        };
        // Writes first: SQLite cannot upgrade a read transaction another writer got ahead of.
        feed::append(txn, &item).await?;
        if let Some(alert) = &alert {
            alerts::record(txn, &alert.data).await?;
        }
        let mut on_stream: Vec<String> = Vec::new();
        for subscription in subscriptions::all(txn).await? {
            if !subscription.wants(&item) {
                continue;
            }
            let channel = &subscription.channel;
            let status = match channel {
                Channel::Stream => "delivered",
                Channel::Email { digest: true, .. } if !item.is_important() => "digest",
                _ => "pending",
            };
            let created = deliveries::add(
                txn,
                deliveries::NewDelivery {
                    item_id: item.id,
                    event: item.event,
                    subscription_id: subscription.id,
                    subscriber: &subscription.owner,
                    channel: channel.name(),
                    target: Some(serde_json::to_value(channel).unwrap_or_default()),
                    status,
                },
            )
            .await?;
            if created && status == "delivered" {
                on_stream.push(subscription.owner.clone());
            }
        }
        // One announcement for every stream subscriber the alert reached.
        if let (false, Some(alert)) = (on_stream.is_empty(), &alert) {
            let delivered = AlertDelivered {
                alert_id: alert.data.alert_id,
                report_id: alert.data.report_id,
                subscriber: "stream".to_owned(),
                channel: "stream".to_owned(),
                delivered_at: chrono::Utc::now(),
                subscribers: on_stream,
            };
            self.outbox
                .stage(txn, &Envelope::caused_by(NAME, alert, delivered))
                .await?;
        }
        Ok(())
    }

    fn committed(&self) {
        // New deliveries may be waiting; a wake with nothing to do costs one query.
        self.dispatch.notify_one();
    }
}
