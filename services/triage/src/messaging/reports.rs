//! Received reports: classify, judge importance, raise the alert first.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use chrono::Utc;
use prism_contracts::{
    events::{
        intake::ReportReceived,
        triage::{AlertRaised, ReportClassified},
    },
    Envelope, RawEnvelope, ReportKind,
};
use prism_messaging::{Apply, ApplyError, Outbox};
use sea_orm::{ActiveValue::Set, DatabaseConnection, DatabaseTransaction, EntityTrait as _};
use uuid::Uuid;

use crate::{
    domain::{classifier::Current, hazard::Hazards, importance::Lexicon, similarity},
    store::{alert, classification, classifications},
    NAME,
};

/// Classifies each received report; raises an alert for an important one.
pub struct Triage {
    outbox: Outbox,
    catalogue: Arc<Current>,
    lexicon: Lexicon,
    hazards: Hazards,
    /// Reports judged ahead of their batch's transaction (see [`Apply::prepare`]), by event id.
    judged: Mutex<HashMap<Uuid, Triaged>>,
}

/// How long a report judged ahead is kept for its transaction. One whose batch failed is
/// applied again on its own and judged then; this only bounds what such a batch leaves.
const JUDGED_KEPT: Duration = Duration::from_secs(60);

/// One report judged and classified, waiting to be written with the others of its batch.
struct Triaged {
    started: Instant,
    important: bool,
    /// The alert row, and its announcement when it goes through the outbox.
    alert: Option<(alert::ActiveModel, Option<Envelope<AlertRaised>>)>,
    row: classification::ActiveModel,
    classified: Envelope<ReportClassified>,
    /// The trace of the delivery, for the events it stages.
    trace: String,
}

impl Triage {
    pub fn new(
        outbox: Outbox,
        catalogue: Arc<Current>,
        lexicon: Lexicon,
        hazards: Hazards,
    ) -> Self {
        Self {
            outbox,
            catalogue,
            lexicon,
            hazards,
            judged: Mutex::default(),
        }
    }

    /// Judges, classifies and fingerprints one report: the work, without the writes.
    fn triage(&self, event: RawEnvelope) -> Result<Triaged, ApplyError> {
        let started = Instant::now();
        let received = event.decode::<ReportReceived>()?;
        let report = &received.data;
        let text = text_of(report);
        let verdict = self
            .lexicon
            .judge(report.kind, report.casualties, &text, &report.hazards);

        let now = Utc::now();
        let alert = verdict.important.then(|| {
            let envelope = super::alerts::alert(&received, &verdict);
            let alert = &envelope.data;
            let row = alert::ActiveModel {
                id: Set(alert.alert_id),
                report_id: Set(alert.report_id),
                level: Set(alert.level.as_str().to_owned()),
                reason: Set(alert.reason.clone()),
                raised_at: Set(alert.raised_at),
            };
            // An important-lane report's alert is published by `alerts`, without waiting
            // for the database; a routine report raised by its text or casualties came
            // through the routine lane and is announced here.
            (
                row,
                (report.kind != ReportKind::Important).then_some(envelope),
            )
        });

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
            fingerprint: Set(None),
            signature: Set(Some(similarity::signature(&report.content).to_bytes())),
            text: Set(Some(text)),
            candidate: Set(classified.candidate),
            reviewed_by: Set(None),
            reviewed_at: Set(None),
        };
        Ok(Triaged {
            started,
            important: verdict.important,
            alert,
            row,
            classified: Envelope::caused_by(NAME, &received, classification),
            trace: prism_messaging::trace::current_context_json(),
        })
    }

    /// Writes a batch: alerts first, then the classifications, a few statements in all.
    async fn write(
        &self,
        txn: &DatabaseTransaction,
        batch: Vec<Triaged>,
    ) -> Result<(), ApplyError> {
        let alerts: Vec<_> = batch
            .iter()
            .filter_map(|t| t.alert.as_ref().map(|(row, _)| row.clone()))
            .collect();
        if !alerts.is_empty() {
            alert::Entity::insert_many(alerts).exec(txn).await?;
        }
        let announced: Vec<_> = batch
            .iter()
            .filter_map(|t| match &t.alert {
                Some((_, Some(envelope))) => Some((envelope, t.trace.as_str())),
                _ => None,
            })
            .collect();
        if !announced.is_empty() {
            self.outbox.stage_traced(txn, &announced).await?;
        }
        let rows: Vec<_> = batch.iter().map(|t| t.row.clone()).collect();
        classifications::insert_many(txn, rows).await?;
        let classified: Vec<_> = batch
            .iter()
            .map(|t| (&t.classified, t.trace.as_str()))
            .collect();
        self.outbox.stage_traced(txn, &classified).await?;
        for triaged in &batch {
            let lane = if triaged.important {
                "important"
            } else {
                "routine"
            };
            metrics::histogram!("triage_step_seconds", "lane" => lane)
                .record(triaged.started.elapsed().as_secs_f64());
        }
        Ok(())
    }
}

impl Apply for Triage {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        let triaged = self.triage(event)?;
        self.write(txn, vec![triaged]).await
    }

    /// Judges and classifies the batch before its transaction. This is processor work: done
    /// inside the transaction, it held SQLite's write gate while it ran, and clustering,
    /// the other writer, waited for it, then it for clustering. Here it runs on one core
    /// while clustering writes on the other.
    async fn prepare(&self, _db: &DatabaseConnection, events: &[(RawEnvelope, tracing::Span)]) {
        let mut judged = Vec::with_capacity(events.len());
        for (event, span) in events {
            // One that fails is judged again in the transaction, which reports the error.
            if let Ok(triaged) = span.in_scope(|| self.triage(event.clone())) {
                judged.push((event.id, triaged));
            }
            // Classifying is CPU work without an await: let other tasks on these threads
            // run between two reports rather than after the whole batch.
            tokio::task::yield_now().await;
        }
        if let Ok(mut kept) = self.judged.lock() {
            kept.retain(|_, triaged| triaged.started.elapsed() < JUDGED_KEPT);
            kept.extend(judged);
        }
    }

    async fn apply_many(
        &self,
        txn: &DatabaseTransaction,
        events: Vec<(RawEnvelope, tracing::Span)>,
    ) -> Result<(), ApplyError> {
        let ahead: Vec<Option<Triaged>> = {
            let mut kept = self.judged.lock().ok();
            let mut take = |id| kept.as_mut().and_then(|kept| kept.remove(id));
            events.iter().map(|(event, _)| take(&event.id)).collect()
        };
        let mut batch = Vec::with_capacity(events.len());
        for ((event, span), judged) in events.into_iter().zip(ahead) {
            match judged {
                Some(triaged) => batch.push(triaged),
                None => {
                    batch.push(span.in_scope(|| self.triage(event))?);
                    tokio::task::yield_now().await;
                }
            }
        }
        self.write(txn, batch).await
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
