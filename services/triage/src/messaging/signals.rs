//! Triage's own `ReportClassified`: each report joins or opens a signal; surges.

use std::sync::Mutex;

use prism_contracts::{events::triage::ReportClassified, Envelope, RawEnvelope};
use prism_messaging::{Apply, ApplyError, Outbox};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

use crate::store::clustering::{Clustering, Prepared};

/// Places classified reports in signals.
pub struct Signals {
    pub outbox: Outbox,
    pub clustering: Clustering,
    /// The next batch's candidates, read ahead (one batch at a time: see
    /// [`crate::messaging::signal_consumer`]).
    pub prepared: Mutex<Option<Prepared>>,
}

impl Signals {
    pub fn new(outbox: Outbox, clustering: Clustering) -> Self {
        Self {
            outbox,
            clustering,
            prepared: Mutex::new(None),
        }
    }
}

/// The batch's events, each with the trace context of its delivery.
fn decode(
    events: &[(RawEnvelope, tracing::Span)],
) -> Result<Vec<(Envelope<ReportClassified>, String)>, ApplyError> {
    let mut causes = Vec::with_capacity(events.len());
    for (event, span) in events {
        let trace = span.in_scope(prism_messaging::trace::current_context_json);
        causes.push((event.clone().decode::<ReportClassified>()?, trace));
    }
    Ok(causes)
}

impl Apply for Signals {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        self.apply_many(txn, vec![(event, tracing::Span::current())])
            .await
    }

    async fn prepare(&self, db: &DatabaseConnection, events: &[(RawEnvelope, tracing::Span)]) {
        let prepared = match decode(events) {
            Ok(causes) => self.clustering.prepare(db, &causes).await.ok(),
            Err(_) => None,
        };
        if let Ok(mut slot) = self.prepared.lock() {
            *slot = prepared;
        }
    }

    async fn apply_many(
        &self,
        txn: &DatabaseTransaction,
        events: Vec<(RawEnvelope, tracing::Span)>,
    ) -> Result<(), ApplyError> {
        let started = std::time::Instant::now();
        let causes = decode(&events)?;
        // Taken, so a batch retried one by one does not reuse it.
        let prepared = self.prepared.lock().ok().and_then(|mut slot| slot.take());
        self.clustering
            .place(txn, &self.outbox, &causes, prepared)
            .await?;
        // Per report: a batch's time shared among its reports.
        let each = started.elapsed().as_secs_f64() / causes.len().max(1) as f64;
        for _ in &causes {
            metrics::histogram!("triage_clustering_seconds").record(each);
        }
        Ok(())
    }
}
