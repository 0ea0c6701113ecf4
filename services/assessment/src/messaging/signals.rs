//! Escalated signals: each opens one case (a signal escalated again, or an escalation
//! delivered twice, opens none), announced as `CaseOpened` in the consumer's transaction.
//! An important signal's case is due within the configured hours.

use std::sync::Arc;

use chrono::Duration;
use prism_contracts::{events::triage::SignalEscalated, subjects::v1, Envelope, RawEnvelope};
use prism_messaging::{Apply, ApplyError, ConsumerSpec, Outbox};
use sea_orm::DatabaseTransaction;

use crate::{
    store::{
        cases,
        openings::{self, Outcome},
    },
    NAME,
};

/// The durable consumer of escalated signals.
pub fn consumer(cases: Arc<SignalCases>) -> (ConsumerSpec, Arc<SignalCases>) {
    (
        ConsumerSpec::new(
            v1::TRIAGE.name,
            "assessment-signals",
            &[v1::SIGNAL_ESCALATED],
        ),
        cases,
    )
}

/// Opens a case for each escalated signal.
pub struct SignalCases {
    pub outbox: Outbox,
    /// Hours from the escalation of an important signal to its case's deadline.
    pub important_case_hours: u32,
}

impl Apply for SignalCases {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let escalated = event.decode::<SignalEscalated>()?;
        let signal = &escalated.data.signal;
        let deadline = signal.important.then(|| {
            escalated.data.escalated_at + Duration::hours(i64::from(self.important_case_hours))
        });
        let opening = cases::Opening {
            alert_id: None,
            report_ids: signal.report_ids.clone(),
            product: signal.product.clone(),
            category: signal.category.clone(),
            districts: signal.districts.clone(),
            initial_level: escalated.data.level.map(|l| l.as_str().to_owned()),
            deadline,
            correlation_id: Some(escalated.correlation_id),
            // Who escalated it, or triage when the signal escalated by itself.
            opened_by: escalated
                .data
                .by
                .clone()
                .unwrap_or_else(|| escalated.source.clone()),
            signal_id: Some(signal.signal_id),
            // A signal does not say which stations reported: intake's reports do, and the
            // regulator names the parties when drawing the panel.
            stations: Vec::new(),
            enterprises: Vec::new(),
        };
        // A signal whose important report already has its alert's case joins that case.
        if let Outcome::Opened(row) = openings::for_signal(txn, opening).await? {
            self.outbox
                .stage(
                    txn,
                    &Envelope::caused_by(NAME, &escalated, cases::opened_event(&row)),
                )
                .await?;
            metrics::counter!("assessment_cases_opened_total", "by" => "signal").increment(1);
        }
        Ok(())
    }
}
