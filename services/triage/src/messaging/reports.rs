//! Received reports: classify, judge importance, raise the alert first.

use std::{sync::Arc, time::Instant};

use chrono::Utc;
use prism_contracts::{
    events::{intake::ReportReceived, triage::ReportClassified},
    Envelope, RawEnvelope, ReportKind,
};
use prism_messaging::{Apply, ApplyError, Outbox};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait as _};

use crate::{
    domain::{classifier::Current, hazard::Hazards, importance::Lexicon, similarity},
    store::{alert, classification, classifications},
    NAME,
};

/// Classifies each received report; raises an alert for an important one.
pub struct Triage {
    pub outbox: Outbox,
    pub catalogue: Arc<Current>,
    pub lexicon: Lexicon,
    pub hazards: Hazards,
}

impl Apply for Triage {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let started = Instant::now();
        let received = event.decode::<ReportReceived>()?;
        let report = &received.data;
        let text = text_of(report);
        let verdict = self
            .lexicon
            .judge(report.kind, report.casualties, &text, &report.hazards);

        // The alert comes first: the relay publishes important-lane events ahead of
        // everything else, and nothing slow stands between this line and the commit.
        let now = Utc::now();
        if verdict.important {
            let envelope = super::alerts::alert(&received, &verdict);
            let alert = &envelope.data;
            alert::Entity::insert(alert::ActiveModel {
                id: Set(alert.alert_id),
                report_id: Set(alert.report_id),
                level: Set(alert.level.as_str().to_owned()),
                reason: Set(alert.reason.clone()),
                raised_at: Set(alert.raised_at),
            })
            .exec(txn)
            .await?;
            // An important-lane report's alert is published by `alerts`, without waiting
            // for the database; a routine report raised by its text or casualties came
            // through the routine lane and is announced here.
            if report.kind != ReportKind::Important {
                self.outbox.stage(txn, &envelope).await?;
            }
        }

        let classifier = self.catalogue.get();
        let declared = report.category.as_deref();
        let classified = classifier.classify(&report.product, &text, declared);
        let hazards = self
            .hazards
            .detect(&text.to_lowercase(), &report.hazards, &verdict.hazards);
        let version = classifier.catalogue.version;
        let classification = ReportClassified {
            report_id: report.report_id,
            category: classified.category.clone(),
            confidence: classified.confidence,
            hazards: hazards.clone(),
            important: verdict.important,
            importance_reason: verdict.reason.clone(),
            catalogue_version: version,
            classified_at: now,
        };
        let row = classification::ActiveModel {
            report_id: Set(report.report_id),
            station_id: Set(report.station_id),
            kind: Set(report.kind.as_str().to_owned()),
            product: Set(report.product.clone()),
            districts: Set(serde_json::json!(report.districts)),
            category: Set(classified.category),
            confidence: Set(classified.confidence),
            hazards: Set(serde_json::json!(hazards)),
            important: Set(verdict.important),
            importance_reason: Set(verdict.reason),
            catalogue_version: Set(i32::try_from(version).unwrap_or(i32::MAX)),
            received_at: Set(report.received_at),
            classified_at: Set(now),
            fingerprint: Set(Some(serde_json::json!(similarity::signature(
                &report.content
            )))),
            text: Set(Some(text)),
            candidate: Set(classified.candidate),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
        };
        classifications::insert(txn, row).await?;
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

// What duplicates are compared on is the content alone: what happened. The product name is
// compared by the rule itself, and the station's analysis or recommendation vary by writer.

/// The text a report is judged and classified on.
pub fn text_of(report: &ReportReceived) -> String {
    format!(
        "{} {} {}",
        report.product,
        report.content,
        report.analysis.as_deref().unwrap_or("")
    )
}
