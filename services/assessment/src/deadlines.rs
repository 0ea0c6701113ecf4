//! The deadline sweep: a background job that raises `CaseOverdue` for each important case
//! not decided by its deadline. Every instance sweeps; the store marks a case overdue with a
//! conditional update, so the event goes out once across instances and restarts.

use std::time::Duration;

use chrono::Utc;
use prism_messaging::Outbox;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;

use crate::store::deadlines;

/// Sweeps every `every` until `shutdown`.
pub async fn run(
    db: DatabaseConnection,
    outbox: Outbox,
    every: Duration,
    shutdown: CancellationToken,
) {
    let mut ticks = tokio::time::interval(every);
    // After a stall, one sweep catches up with everything; a burst of sweeps would not.
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match deadlines::mark_overdue(&db, &outbox, Utc::now()).await {
            Ok(0) => {}
            Ok(marked) => {
                metrics::counter!("assessment_cases_overdue_total").increment(marked as u64);
                tracing::info!(marked, "important cases overdue");
            }
            // A database hiccup: the next sweep tries again; nothing is lost meanwhile.
            Err(error) => tracing::warn!(error = %error, "deadline sweep failed"),
        }
        // Shows that the sweep is alive, and lets a test know the start-up sweep is done.
        metrics::counter!("assessment_deadline_sweeps_total").increment(1);
    }
}
