//! What intake consumes: downstream services' announcements about reports, projected into
//! each report's timeline so a station sees what became of its report without intake ever
//! reading another service's database.

use std::sync::Arc;

use prism_contracts::{
    events::{assessment, notification, triage, warning},
    subjects::{v1, StreamSpec},
    RawEnvelope,
};
use prism_messaging::{Apply, ApplyError, ConsumerSpec};
use sea_orm::DatabaseTransaction;
use serde_json::json;

use crate::store::timeline;

/// The timeline consumers, one per stream that announces steps.
pub fn consumers() -> Vec<(ConsumerSpec, Arc<TimelineProjection>)> {
    let spec = |stream: StreamSpec, subjects: &[&str]| {
        let durable = format!(
            "intake-timeline-{}",
            stream.name.to_lowercase().replace('_', "-")
        );
        ConsumerSpec::new(stream.name, durable, subjects)
    };
    let projection = Arc::new(TimelineProjection);
    vec![
        (
            spec(v1::TRIAGE, &[v1::REPORT_CLASSIFIED]),
            projection.clone(),
        ),
        (
            spec(v1::TRIAGE_ALERTS, &[v1::ALERT_RAISED]),
            projection.clone(),
        ),
        (
            spec(v1::ASSESSMENT, &[v1::CASE_OPENED, v1::DECISION_RECORDED]),
            projection.clone(),
        ),
        (
            spec(v1::WARNING_PUBLICATION, &[v1::WARNING_PUBLISHED]),
            projection.clone(),
        ),
        (spec(v1::NOTIFICATION, &[v1::ALERT_DELIVERED]), projection),
    ]
}

/// Turns announcements into timeline steps.
pub struct TimelineProjection;

impl Apply for TimelineProjection {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let event_id = event.id;
        let (report_ids, step, at, detail) = match event.event_type.as_str() {
            "report.classified" => {
                let e = event.decode::<triage::ReportClassified>()?.data;
                let detail = json!({"category": e.category, "confidence": e.confidence, "hazards": e.hazards,
                                    "important": e.important, "importance_reason": e.importance_reason});
                (vec![e.report_id], "classified", e.classified_at, detail)
            }
            "alert.raised" => {
                let e = event.decode::<triage::AlertRaised>()?.data;
                let detail = json!({"alert_id": e.alert_id, "level": e.level, "reason": e.reason});
                (vec![e.report_id], "alerted", e.raised_at, detail)
            }
            "alert.delivered" => {
                let e = event.decode::<notification::AlertDelivered>()?.data;
                let detail = json!({"alert_id": e.alert_id, "subscriber": e.subscriber, "channel": e.channel});
                (vec![e.report_id], "alert_delivered", e.delivered_at, detail)
            }
            "case.opened" => {
                let e = event.decode::<assessment::CaseOpened>()?.data;
                let detail = json!({"case_id": e.case_id, "deadline": e.deadline});
                (e.report_ids, "case_opened", e.opened_at, detail)
            }
            "decision.recorded" => {
                let e = event.decode::<assessment::DecisionRecorded>()?.data;
                let detail = json!({"case_id": e.case_id, "risk_level": e.risk_level, "measures": e.measures,
                                    "version": e.version, "warning_requested": e.warning.is_some()});
                (e.report_ids, "decided", e.decided_at, detail)
            }
            "warning.published" => {
                let e = event.decode::<warning::WarningPublished>()?.data;
                let detail = json!({"warning_id": e.warning_id, "version": e.version, "title_zh": e.title_zh});
                (e.report_ids, "warning_published", e.published_at, detail)
            }
            // Events this projection does not track are acknowledged and skipped.
            _ => return Ok(()),
        };
        for report_id in report_ids {
            timeline::record(txn, event_id, report_id, step, at, detail.clone()).await?;
        }
        Ok(())
    }
}
