//! What warning-publication consumes: assessment's decisions. A decision that asks for a
//! public warning becomes a draft, announced as `WarningDrafted` in the same transaction;
//! a publisher still has to approve it before the public sees anything.

use std::sync::Arc;

use prism_contracts::{events::assessment::DecisionRecorded, subjects::v1, Envelope, RawEnvelope};
use prism_messaging::{Apply, ApplyError, ConsumerSpec, Outbox};
use sea_orm::DatabaseTransaction;

use crate::{domain::warning::Draft, store::warnings, NAME};

/// The durable name of the decisions consumer.
pub const DECISIONS: &str = "warning-decisions";

/// The consumers warning-publication runs.
pub fn consumers(outbox: Outbox) -> Vec<(ConsumerSpec, Arc<DecisionDrafts>)> {
    vec![(
        ConsumerSpec::new(v1::ASSESSMENT.name, DECISIONS, &[v1::DECISION_RECORDED]),
        Arc::new(DecisionDrafts { outbox }),
    )]
}

/// Turns decisions that ask for a warning into drafts.
pub struct DecisionDrafts {
    pub outbox: Outbox,
}

impl Apply for DecisionDrafts {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let decision = event.decode::<DecisionRecorded>()?;
        let Some(text) = &decision.data.warning else {
            // A decision without a warning is none of our business; the inbox still records
            // it, so a redelivery is skipped cheaply.
            return Ok(());
        };
        let draft = Draft::from_decision(&decision.data, text);
        let detail = serde_json::json!({
            "source": "decision",
            "case_id": decision.data.case_id,
            "decision_id": decision.data.decision_id,
            "decision_version": decision.data.version,
            "event_id": decision.id,
        });
        // Drafted by whoever decided: that person may therefore never approve it.
        let (_, drafted) =
            warnings::insert_draft(txn, draft, &decision.data.decided_by, detail).await?;
        self.outbox
            .stage(txn, &Envelope::caused_by(NAME, &decision, drafted))
            .await?;
        metrics::counter!("warning_drafts_total", "source" => "decision").increment(1);
        Ok(())
    }
}
