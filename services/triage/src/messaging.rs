//! What triage consumes: received reports, in two lanes. The important lane has its own
//! durable consumer and task, so a backlog of routine reports never delays an alert.

use std::{sync::Arc, time::Instant};

use chrono::Utc;
use prism_contracts::{
    events::{
        intake::ReportReceived,
        triage::{AlertRaised, ReportClassified},
    },
    subjects::v1,
    Envelope, Lane, RawEnvelope,
};
use prism_messaging::{Apply, ApplyError, ConsumerSpec, Outbox};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait as _};
use uuid::Uuid;

use crate::{
    domain::{catalogue::Catalogue, importance::Lexicon},
    store::{alert, classification},
    NAME,
};

/// The two lanes' consumers.
pub fn consumers(triage: Arc<Triage>) -> Vec<(ConsumerSpec, Arc<Triage>)> {
    let important = v1::report_received(Lane::Important);
    let routine = v1::report_received(Lane::Routine);
    let mut routine_spec = ConsumerSpec::new(
        v1::INTAKE.name,
        "triage-reports-routine",
        &[routine.as_str()],
    );
    routine_spec.concurrency = 4;
    vec![
        (
            ConsumerSpec::new(
                v1::INTAKE.name,
                "triage-reports-important",
                &[important.as_str()],
            ),
            triage.clone(),
        ),
        (routine_spec, triage),
    ]
}

/// Classifies each received report; raises an alert for an important one.
pub struct Triage {
    pub outbox: Outbox,
    pub catalogue: Catalogue,
    pub lexicon: Lexicon,
}

impl Apply for Triage {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let started = Instant::now();
        let received = event.decode::<ReportReceived>()?;
        let report = &received.data;
        let text = format!(
            "{} {} {}",
            report.product,
            report.content,
            report.analysis.as_deref().unwrap_or("")
        );
        let verdict = self
            .lexicon
            .judge(report.kind, report.casualties, &text, &report.hazards);

        // The alert is staged first: the relay publishes important-lane events ahead of
        // everything else, and nothing slow stands between this line and the commit.
        let now = Utc::now();
        if verdict.important {
            let alert = AlertRaised {
                alert_id: Uuid::now_v7(),
                report_id: report.report_id,
                product: report.product.clone(),
                category: report.category.clone(),
                districts: report.districts.clone(),
                hazards: verdict.hazards.clone(),
                casualties: report.casualties,
                station_id: report.station_id,
                station_code: report.station_code.clone(),
                level: verdict.level,
                reason: verdict.reason.clone().unwrap_or_default(),
                received_at: report.received_at,
                raised_at: now,
            };
            alert::Entity::insert(alert::ActiveModel {
                id: Set(alert.alert_id),
                report_id: Set(alert.report_id),
                level: Set(alert.level.as_str().to_owned()),
                reason: Set(alert.reason.clone()),
                raised_at: Set(now),
            })
            .exec(txn)
            .await?;
            self.outbox
                .stage(txn, &Envelope::caused_by(NAME, &received, alert))
                .await?;
        }

        let classified = self.catalogue.classify(
            &report.product,
            &text,
            report.category.as_deref().filter(|c| self.catalogue.has(c)),
        );
        let classification = ReportClassified {
            report_id: report.report_id,
            category: classified.category.clone(),
            confidence: classified.confidence,
            hazards: verdict.hazards.clone(),
            important: verdict.important,
            importance_reason: verdict.reason.clone(),
            catalogue_version: self.catalogue.version,
            classified_at: now,
        };
        classification::Entity::insert(classification::ActiveModel {
            report_id: Set(report.report_id),
            station_id: Set(report.station_id),
            kind: Set(report.kind.as_str().to_owned()),
            product: Set(report.product.clone()),
            districts: Set(serde_json::json!(report.districts)),
            category: Set(classified.category),
            confidence: Set(classified.confidence),
            hazards: Set(serde_json::json!(verdict.hazards)),
            important: Set(verdict.important),
            importance_reason: Set(verdict.reason),
            catalogue_version: Set(i32::try_from(self.catalogue.version).unwrap_or(i32::MAX)),
            received_at: Set(report.received_at),
            classified_at: Set(now),
        })
        .exec(txn)
        .await?;
        self.outbox
            .stage(txn, &Envelope::caused_by(NAME, &received, classification))
            .await?;
        let lane = if verdict.important {
            "important"
        } else {
            "routine"
        };
        metrics::histogram!("triage_step_seconds", "lane" => lane)
            .record(started.elapsed().as_secs_f64());
        Ok(())
    }
}
