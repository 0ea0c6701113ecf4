//! What notification consumes durably: alerts (recorded, with one delivery record per
//! matching subscription) and published warnings, both appended to the replayable feed.

use std::sync::Arc;

use prism_contracts::{
    events::{triage::AlertRaised, warning::WarningPublished},
    subjects::v1,
    RawEnvelope,
};
use prism_messaging::{Apply, ApplyError, ConsumerSpec};
use sea_orm::DatabaseTransaction;

use crate::{
    domain::feed::FeedItem,
    store::{alerts, feed, subscriptions},
};

/// The consumers: alerts in the important lane, warnings in their own.
pub fn consumers() -> Vec<(ConsumerSpec, Arc<Notification>)> {
    let handler = Arc::new(Notification);
    vec![
        (
            ConsumerSpec::new(v1::TRIAGE.name, "notification-alerts", &[v1::ALERT_RAISED]),
            handler.clone(),
        ),
        (
            ConsumerSpec::new(
                v1::WARNING_PUBLICATION.name,
                "notification-warnings",
                &[v1::WARNING_PUBLISHED],
            ),
            handler,
        ),
    ]
}

/// Records alerts and warnings.
pub struct Notification;

impl Apply for Notification {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        match event.event_type.as_str() {
            "alert.raised" => {
                let alert = event.decode::<AlertRaised>()?.data;
                let item = FeedItem::alert(&alert);
                feed::append(txn, &item).await?;
                alerts::record(txn, &alert).await?;
                for subscription in subscriptions::on_channel(txn, "stream").await? {
                    if subscription.wants(&item) {
                        alerts::add_delivery(
                            txn,
                            alert.alert_id,
                            subscription.id,
                            &subscription.owner,
                            "stream",
                            "on_stream",
                        )
                        .await?;
                    }
                }
                Ok(())
            }
            "warning.published" => {
                let warning = event.decode::<WarningPublished>()?;
                feed::append(txn, &FeedItem::warning(&warning)).await?;
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
