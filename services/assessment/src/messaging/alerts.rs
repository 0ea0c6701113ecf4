//! Alerts: each opens one case, due within the configured hours, announced as `CaseOpened`
//! in the same transaction that records the alert as applied, so a case is neither lost nor
//! opened twice.

use std::sync::Arc;

use chrono::Duration;
use prism_contracts::{events::triage::AlertRaised, subjects::v1, Envelope, RawEnvelope};
use prism_messaging::{Apply, ApplyError, ConsumerSpec, Outbox};
use sea_orm::DatabaseTransaction;

use crate::{
    store::{
        cases,
        openings::{self, Outcome},
    },
    NAME,
};

/// The durable consumer of alerts.
pub fn consumer(cases: Arc<AlertCases>) -> (ConsumerSpec, Arc<AlertCases>) {
    (
        ConsumerSpec::new(
            v1::TRIAGE_ALERTS.name,
            "assessment-alerts",
            &[v1::ALERT_RAISED],
        ),
        cases,
    )
}

/// Opens a case for each alert.
pub struct AlertCases {
    pub outbox: Outbox,
    /// Hours from the alert to the case's deadline.
    pub important_case_hours: u32,
}

impl Apply for AlertCases {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let raised = event.decode::<AlertRaised>()?;
        let alert = &raised.data;
        let opening = cases::Opening {
            alert_id: Some(alert.alert_id),
            report_ids: vec![alert.report_id],
            product: alert.product.clone(),
            category: alert.category.clone(),
            districts: alert.districts.clone(),
            initial_level: Some(alert.level.as_str().to_owned()),
            // From the alert, not from now: a backlog must not push deadlines back.
            deadline: Some(alert.raised_at + Duration::hours(i64::from(self.important_case_hours))),
            correlation_id: Some(raised.correlation_id),
            opened_by: raised.source.clone(),
            signal_id: None,
            // Experts working for the reporting station must not assess its report.
            stations: vec![alert.station_id.to_string(), alert.station_code.clone()],
            enterprises: Vec::new(),
        };
        // An alert that already has its case (announced again under a new event id) is done;
        // one whose report's signal opened a case first joins that case.
        if let Outcome::Opened(row) = openings::for_alert(txn, opening).await? {
            self.outbox
                .stage(
                    txn,
                    &Envelope::caused_by(NAME, &raised, cases::opened_event(&row)),
                )
                .await?;
            metrics::counter!("assessment_cases_opened_total", "by" => "alert").increment(1);
        }
        Ok(())
    }
}
