//! The delivery worker: finds due webhook and email deliveries in the table, claims each
//! with a lease (so two instances never send one twice, and a crashed instance's claim
//! runs out), and runs every attempt in a task of its own under a concurrency limit, so a
//! slow or dead target holds up nothing but itself.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use prism_contracts::{events::notification::AlertDelivered, Envelope};
use prism_messaging::Outbox;
use rand::Rng as _;
use sea_orm::{DatabaseConnection, TransactionTrait as _};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;

use super::{breaker::Breakers, email::Mailer, webhook::Webhooks, Attempt};
use crate::{
    config::NotificationSettings,
    domain::{feed::FeedItem, subscription::Channel},
    store::{
        alerts,
        deliveries::{self, Settled},
        entities::delivery,
        feed,
    },
    NAME,
};

/// Delivers webhooks and email.
pub struct Worker {
    pub db: DatabaseConnection,
    pub outbox: Outbox,
    pub webhooks: Webhooks,
    pub mailer: Mailer,
    pub breakers: Breakers,
    pub settings: NotificationSettings,
    pub wake: Arc<Notify>,
    limit: Arc<Semaphore>,
}

impl Worker {
    pub fn new(
        db: DatabaseConnection,
        outbox: Outbox,
        settings: NotificationSettings,
        wake: Arc<Notify>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            webhooks: Webhooks::new(&settings.webhooks)?,
            mailer: Mailer::new(&settings.email)?,
            breakers: Breakers::new(
                settings.webhooks.breaker_threshold,
                Duration::from_secs(settings.webhooks.breaker_cooldown_secs),
            ),
            limit: Arc::new(Semaphore::new(settings.dispatch.concurrency)),
            db,
            outbox,
            settings,
            wake,
        })
    }

    /// Delivers until `shutdown`.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let poll = Duration::from_millis(self.settings.dispatch.poll_millis);
        loop {
            if let Err(error) = self.round().await {
                tracing::warn!(error = %error, "delivery round failed");
            }
            // A consumer wakes us after the commit that created deliveries; the poll finds
            // retries falling due and work another instance left.
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(poll) => {}
                () = shutdown.cancelled() => break,
            }
        }
    }

    async fn round(self: &Arc<Self>) -> anyhow::Result<()> {
        let now = Utc::now();
        let lease = chrono::Duration::seconds(
            i64::try_from(self.settings.webhooks.timeout_secs).unwrap_or(60) + 5,
        );
        for row in deliveries::due(&self.db, now, 200).await? {
            let Ok(permit) = self.limit.clone().try_acquire_owned() else {
                break;
            };
            let claimed = {
                let _turn = self.gate(&row).await;
                deliveries::claim(&self.db, row.id, "pending", now, now + lease).await?
            };
            if !claimed {
                continue;
            }
            let worker = self.clone();
            tokio::spawn(async move {
                if let Err(error) = worker.attempt(row).await {
                    tracing::warn!(error = %error, "settling a delivery failed; its lease will run out");
                }
                drop(permit);
            });
        }
        Ok(())
    }

    async fn attempt(&self, row: delivery::Model) -> anyhow::Result<()> {
        let attempts = row.attempts + 1;
        let channel: Option<Channel> = row
            .target
            .clone()
            .and_then(|t| serde_json::from_value(t).ok());
        let Some(item) = feed::find(&self.db, row.alert_id).await? else {
            let failed = Settled::Failed("the event is no longer held");
            return self.settle(&row, attempts, failed).await;
        };
        let now = Utc::now();
        let (outcome, breaker_key) = match &channel {
            Some(Channel::Webhook { url, secret }) => {
                let key = breaker_key(url);
                if let Some(until) = self.breakers.open_until(&key, now) {
                    let deferred = Settled::Deferred(until);
                    return self.settle(&row, row.attempts, deferred).await;
                }
                let body =
                    serde_json::json!({"id": item.id, "event": item.event, "data": item.data});
                let body = serde_json::to_vec(&body)?;
                (
                    self.webhooks.post(url, secret, item.id, body).await,
                    Some(key),
                )
            }
            Some(Channel::Email { address, .. }) => {
                let body = email_body(&item);
                (self.mailer.send(address, &item.subject(), body).await, None)
            }
            _ => (
                Attempt::Permanent("no target to deliver to".to_owned()),
                None,
            ),
        };
        if let Some(key) = &breaker_key {
            let transient = matches!(outcome, Attempt::Transient { .. });
            self.breakers.record(key, !transient, Utc::now());
        }
        let label = match &outcome {
            Attempt::Delivered => "delivered",
            Attempt::Transient { .. } => "transient",
            Attempt::Permanent(_) => "failed",
        };
        metrics::counter!("notification_delivery_attempts_total", "channel" => row.channel.clone(), "outcome" => label)
            .increment(1);
        match outcome {
            Attempt::Delivered => self.delivered(&row, attempts).await,
            Attempt::Permanent(error) => {
                tracing::warn!(delivery = %row.id, error = %error, "delivery failed");
                let failed = Settled::Failed(&error);
                self.settle(&row, attempts, failed).await
            }
            Attempt::Transient { error, after } => {
                let settled = if attempts >= self.settings.webhooks.max_attempts {
                    tracing::warn!(delivery = %row.id, error = %error, "delivery failed after the last attempt");
                    Settled::Failed(&error)
                } else {
                    Settled::Retry(Utc::now() + self.delay(attempts, after), &error)
                };
                self.settle(&row, attempts, settled).await
            }
        }
    }

    /// The turn to write about `row`. On SQLite a write that finds the lock taken sleeps in
    /// SQLite's busy handler (1, 2, 5 ms …); the claims and settlements of deliveries did,
    /// behind the consumers' commits and the outbox marking, and a webhook waited for it
    /// (peer benchmark traces: `clock_nanosleep` between the alert's commit and the POST).
    /// Queuing at the service's write gate instead, an alert's delivery goes first.
    async fn gate(&self, row: &delivery::Model) -> prism_messaging::gate::Permit<'_> {
        let important = row.event.as_deref() == Some("alert");
        self.outbox.gate().enter(&self.db, important).await
    }

    async fn settle(
        &self,
        row: &delivery::Model,
        attempts: i32,
        settled: Settled<'_>,
    ) -> anyhow::Result<()> {
        let _turn = self.gate(row).await;
        Ok(deliveries::settle(&self.db, row.id, attempts, settled).await?)
    }

    /// Settles a delivery as done and, for an alert, announces it in the same transaction.
    async fn delivered(&self, row: &delivery::Model, attempts: i32) -> anyhow::Result<()> {
        let _turn = self.gate(row).await;
        let txn = self.db.begin().await?;
        deliveries::settle(&txn, row.id, attempts, Settled::Delivered).await?;
        let alert = match row.event.as_deref() {
            Some("alert") => alerts::find(&txn, row.alert_id).await?,
            _ => None,
        };
        if let Some(alert) = alert {
            let delivered = AlertDelivered {
                alert_id: alert.id,
                report_id: alert.report_id,
                subscriber: row.subscriber.clone(),
                channel: row.channel.clone(),
                delivered_at: Utc::now(),
                subscribers: Vec::new(),
            };
            self.outbox
                .stage(&txn, &Envelope::new(NAME, delivered))
                .await?;
        }
        txn.commit().await?;
        self.outbox.committed();
        Ok(())
    }

    /// Exponential backoff with jitter; a target's `Retry-After` is honoured up to the cap.
    fn delay(&self, attempts: i32, asked: Option<Duration>) -> chrono::Duration {
        let settings = &self.settings.webhooks;
        let cap = Duration::from_secs(settings.backoff_max_secs);
        let exponent = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(20);
        let backoff = Duration::from_millis(settings.backoff_base_ms.saturating_mul(1 << exponent));
        let backoff = backoff.min(cap);
        // Between half and all of the backoff, so that many deliveries failing together
        // (one target down) do not all come back at the same moment.
        let jittered = backoff.mul_f64(rand::thread_rng().gen_range(0.5..=1.0));
        let wait = asked.map_or(jittered, |asked| asked.min(cap).max(jittered));
        chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::seconds(1))
    }
}

/// One breaker per scheme, host and port.
fn breaker_key(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| {
            format!(
                "{}://{}:{}",
                u.scheme(),
                u.host_str().unwrap_or_default(),
                u.port_or_known_default().unwrap_or(0)
            )
        })
        .unwrap_or_else(|_| url.to_owned())
}

/// The plain-text body of a notification email.
pub fn email_body(item: &FeedItem) -> String {
    let data = serde_json::to_string_pretty(&item.data).unwrap_or_default();
    format!("{}\n\nevent id: {}\n\n{data}\n", item.subject(), item.id)
}
