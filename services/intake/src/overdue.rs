//! The overdue watch: after a due date passes, each station that sent no routine report for
//! the period is announced once as `StationReportOverdue` (notification delivers it).
//!
//! Every instance runs the watch; the notice table's key (station, period), written in the
//! same transaction as the event, makes sure only one of them raises it, also across restarts.

use std::{future::Future, time::Duration};

use chrono::Utc;
use prism_messaging::Outbox;
use sea_orm::DatabaseConnection;

use crate::store::compliance;

/// Looks for missed due dates every `every` until `stop` resolves.
pub async fn watch(
    db: DatabaseConnection,
    outbox: Outbox,
    every: Duration,
    stop: impl Future<Output = ()>,
) {
    let mut tick = tokio::time::interval(every);
    // After a pause (a suspended host), one sweep is enough: it looks back several periods.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            _ = tick.tick() => {}
        }
        match compliance::raise_overdue(&db, &outbox, Utc::now()).await {
            Ok(0) => {}
            Ok(raised) => tracing::info!(raised, "stations overdue"),
            // A database hiccup is retried at the next tick; nothing was half done.
            Err(error) => tracing::warn!(error = %error, "overdue sweep failed"),
        }
    }
}
