//! Triage's own `ReportClassified`: each report joins or opens a signal; surges.

use prism_contracts::{events::triage::ReportClassified, Envelope, RawEnvelope};
use prism_messaging::{Apply, ApplyError, Outbox};
use sea_orm::DatabaseTransaction;

use crate::store::clustering::Clustering;

/// Places classified reports in signals.
pub struct Signals {
    pub outbox: Outbox,
    pub clustering: Clustering,
}

impl Apply for Signals {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        self.apply_many(txn, vec![(event, tracing::Span::current())])
            .await
    }

    async fn apply_many(
        &self,
        txn: &DatabaseTransaction,
        events: Vec<(RawEnvelope, tracing::Span)>,
    ) -> Result<(), ApplyError> {
        let started = std::time::Instant::now();
        let mut causes: Vec<(Envelope<ReportClassified>, String)> = Vec::new();
        for (event, span) in events {
            let trace = span.in_scope(prism_messaging::trace::current_context_json);
            causes.push((event.decode::<ReportClassified>()?, trace));
        }
        self.clustering.place(txn, &self.outbox, &causes).await?;
        // Per report: a batch's time shared among its reports.
        let each = started.elapsed().as_secs_f64() / causes.len().max(1) as f64;
        for _ in &causes {
            metrics::histogram!("triage_clustering_seconds").record(each);
        }
        Ok(())
    }
}
