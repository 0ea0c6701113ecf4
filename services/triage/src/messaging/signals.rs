//! Triage's own `ReportClassified`: each report joins or opens a signal; surges.

use prism_contracts::{events::triage::ReportClassified, RawEnvelope};
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
        let classified = event.decode::<ReportClassified>()?;
        let started = std::time::Instant::now();
        self.clustering
            .place(txn, &self.outbox, &classified)
            .await?;
        metrics::histogram!("triage_clustering_seconds").record(started.elapsed().as_secs_f64());
        Ok(())
    }
}
