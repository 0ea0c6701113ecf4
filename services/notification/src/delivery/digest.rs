//! The email digest: routine event types (warnings, overdue notices) for subscribers who
//! asked for a digest wait here and go out together, one email per subscription, every
//! `email.digest_interval_secs`. Important alerts never wait: they are sent at once.

use std::{collections::BTreeMap, time::Duration};

use chrono::Utc;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{email::Mailer, worker::email_body, Attempt};
use crate::{
    domain::subscription::Channel,
    store::{deliveries, feed},
};

/// Sends digests.
pub struct Digest {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub every: Duration,
}

impl Digest {
    /// Sends a digest every interval until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            tokio::select! {
                () = tokio::time::sleep(self.every) => {}
                () = shutdown.cancelled() => break,
            }
            if let Err(error) = self.send().await {
                tracing::warn!(error = %error, "digest failed; it is tried again next time");
            }
        }
    }

    /// Sends what is waiting; returns the number of emails sent.
    pub async fn send(&self) -> anyhow::Result<usize> {
        let now = Utc::now();
        let lease = now + chrono::Duration::minutes(5);
        let mut by_subscription: BTreeMap<Uuid, Vec<_>> = BTreeMap::new();
        for row in deliveries::waiting_for_digest(&self.db, now).await? {
            // Claimed one by one, so that two instances never put one item in two digests.
            if deliveries::claim(&self.db, row.id, "digest", now, lease).await? {
                by_subscription
                    .entry(row.subscription_id)
                    .or_default()
                    .push(row);
            }
        }
        let mut sent = 0;
        for rows in by_subscription.into_values() {
            let Some(Channel::Email { address, .. }) = rows
                .first()
                .and_then(|r| r.target.clone())
                .and_then(|t| serde_json::from_value(t).ok())
            else {
                continue;
            };
            let mut body = String::new();
            for row in &rows {
                if let Some(item) = feed::find(&self.db, row.alert_id).await? {
                    body.push_str(&email_body(&item));
                    body.push_str("\n----\n\n");
                }
            }
            let subject = format!("[PRISM] 每日摘要 Daily digest: {} items", rows.len());
            let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
            match self.mailer.send(&address, &subject, body).await {
                Attempt::Delivered => {
                    deliveries::digest_done(&self.db, &ids, true).await?;
                    sent += 1;
                }
                Attempt::Transient { error, .. } | Attempt::Permanent(error) => {
                    tracing::warn!(to = %address, error = %error, "digest not sent; kept for the next one");
                    deliveries::digest_done(&self.db, &ids, false).await?;
                }
            }
        }
        Ok(sent)
    }
}
