//! A classified report joins the signal of its nearest duplicate or opens its own; an
//! important signal escalates by itself; a surge in its category and district opens (or
//! grows) a surge signal. Runs in the signal consumer's transaction, after the alert left.

use chrono::Utc;
use prism_contracts::{
    events::triage::{ReportClassified, SignalOpened, SignalUpdated},
    Envelope,
};
use prism_messaging::Outbox;
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseTransaction, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    classifications,
    entities::{classification, signal, signal_report},
    signals,
};
use crate::{
    domain::{
        duplicate::{Candidate, DuplicateRule},
        similarity::Signature,
        surge::SurgeTest,
    },
    NAME,
};

/// The rules clustering applies.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clustering {
    pub duplicates: DuplicateRule,
    pub surges: SurgeTest,
}

/// How many earlier reports of the same category a new one is compared with.
const MAX_CANDIDATES: u64 = 500;

impl Clustering {
    /// Places the classified report in a signal and checks for a surge.
    pub async fn place(
        &self,
        txn: &DatabaseTransaction,
        outbox: &Outbox,
        cause: &Envelope<ReportClassified>,
    ) -> Result<(), DbErr> {
        let Some(report) = classifications::find(txn, cause.data.report_id).await? else {
            return Ok(());
        };
        let Some(category) = report.category.clone() else {
            // Unclassified: it joins a signal once a person gives it a category.
            return Ok(());
        };
        if current_signal(txn, report.report_id).await?.is_some() {
            return Ok(());
        }
        let signal = match self.nearest_signal(txn, &report, &category).await? {
            Some(found) => {
                let mut signal = signals::join(txn, found, &report).await?;
                if signal.origin == "single_report" {
                    let mut active: signal::ActiveModel = signal.into();
                    active.origin = Set("duplicates".to_owned());
                    signal = active.update(txn).await?;
                }
                let detail = json!({"report_id": report.report_id});
                signals::audit(txn, signal.id, "report_added", None, None, detail).await?;
                let event = SignalUpdated {
                    signal: signals::snapshot(txn, &signal).await?,
                    change: "report_added".to_owned(),
                    by: None,
                    reason: None,
                    updated_at: Utc::now(),
                };
                outbox
                    .stage(txn, &Envelope::caused_by(NAME, cause, event))
                    .await?;
                signal
            }
            None => {
                open(
                    txn,
                    outbox,
                    cause,
                    &report,
                    &[report.report_id],
                    "single_report",
                )
                .await?
            }
        };
        if signal.important && signal.status == "open" {
            escalate(txn, outbox, cause, signal, "important report").await?;
        }
        super::surges::count_and_check(&self.surges, txn, outbox, cause, &report, &category).await
    }

    /// The active signal of the most similar earlier report, if one is similar enough.
    async fn nearest_signal(
        &self,
        txn: &DatabaseTransaction,
        report: &classification::Model,
        category: &str,
    ) -> Result<Option<signal::Model>, DbErr> {
        use classification::Column;
        let window = self.duplicates.window;
        let own_districts = classifications::districts(report);
        // Cheap columns first: most candidates share no district with the report, and are
        // ruled out before their fingerprints (256 numbers each) are read and parsed.
        let others: Vec<Uuid> = classification::Entity::find()
            .select_only()
            .columns([Column::ReportId, Column::Districts])
            .filter(Column::Category.eq(category))
            .filter(Column::ReportId.ne(report.report_id))
            .filter(Column::ReceivedAt.gte(report.received_at - window))
            .filter(Column::ReceivedAt.lte(report.received_at + window))
            .order_by_desc(Column::ReceivedAt)
            .limit(MAX_CANDIDATES)
            .into_tuple::<(Uuid, serde_json::Value)>()
            .all(txn)
            .await?
            .into_iter()
            .filter(|(_, districts)| {
                let districts: Vec<String> =
                    serde_json::from_value(districts.clone()).unwrap_or_default();
                DuplicateRule::share_a_district(&districts, &own_districts)
            })
            .map(|(id, _)| id)
            .collect();
        if others.is_empty() {
            return Ok(None);
        }
        let others = classification::Entity::find()
            .filter(Column::ReportId.is_in(others))
            .all(txn)
            .await?;
        let own = candidate_parts(report);
        let mut scored: Vec<(f64, Uuid)> = others
            .iter()
            .filter_map(|other| {
                let theirs = candidate_parts(other);
                let score = self
                    .duplicates
                    .score(&own.view(report), &theirs.view(other))?;
                Some((score, other.report_id))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, report_id) in scored {
            if let Some(signal) = current_signal(txn, report_id).await? {
                if signals::ACTIVE.contains(&signal.status.as_str()) {
                    return Ok(Some(signal));
                }
            }
        }
        Ok(None)
    }
}

/// Opens a signal with `reports` and announces it.
pub(super) async fn open(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    cause: &Envelope<ReportClassified>,
    first: &classification::Model,
    reports: &[Uuid],
    origin: &str,
) -> Result<signal::Model, DbErr> {
    let now = Utc::now();
    let id = Uuid::now_v7();
    let row = signal::ActiveModel {
        id: Set(id),
        product: Set(first.product.clone()),
        category: Set(first.category.clone()),
        districts: Set(first.districts.clone()),
        district_index: Set(String::new()),
        report_count: Set(0),
        important: Set(false),
        status: Set("open".to_owned()),
        origin: Set(origin.to_owned()),
        surge_key: Set(None),
        level: Set(None),
        first_seen: Set(first.received_at),
        last_seen: Set(first.received_at),
        updated_at: Set(now),
    }
    .insert(txn)
    .await?;
    signals::attach(txn, id, reports).await?;
    let signal = signals::recompute(txn, row).await?;
    signals::audit(txn, id, "opened", None, None, json!({"origin": origin})).await?;
    let event = SignalOpened {
        signal: signals::snapshot(txn, &signal).await?,
        opened_at: now,
    };
    outbox
        .stage(txn, &Envelope::caused_by(NAME, cause, event))
        .await?;
    Ok(signal)
}

/// Escalates a signal by itself and announces it.
async fn escalate(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    cause: &Envelope<ReportClassified>,
    signal: signal::Model,
    reason: &str,
) -> Result<(), DbErr> {
    let (_, event) = signals::mark_escalated(txn, signal, None, reason, None).await?;
    outbox
        .stage(txn, &Envelope::caused_by(NAME, cause, event))
        .await
}

/// The duplicates (not surge) signal a report is in.
pub async fn current_signal(
    txn: &DatabaseTransaction,
    report_id: Uuid,
) -> Result<Option<signal::Model>, DbErr> {
    let ids: Vec<Uuid> = signal_report::Entity::find()
        .select_only()
        .column(signal_report::Column::SignalId)
        .filter(signal_report::Column::ReportId.eq(report_id))
        .into_tuple()
        .all(txn)
        .await?;
    signal::Entity::find()
        .filter(signal::Column::Id.is_in(ids))
        .filter(signal::Column::Origin.ne("surge"))
        .one(txn)
        .await
}

/// What the duplicate rule needs of a stored classification.
struct Parts {
    districts: Vec<String>,
    signature: Signature,
}

impl Parts {
    fn view<'a>(&'a self, row: &'a classification::Model) -> Candidate<'a> {
        Candidate {
            category: row.category.as_deref(),
            product: &row.product,
            districts: &self.districts,
            received_at: row.received_at,
            signature: &self.signature,
        }
    }
}

fn candidate_parts(row: &classification::Model) -> Parts {
    Parts {
        districts: classifications::districts(row),
        signature: row
            .fingerprint
            .clone()
            .and_then(|f| serde_json::from_value(f).ok())
            .unwrap_or_default(),
    }
}
