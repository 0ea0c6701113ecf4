//! A classified report joins the signal of its nearest duplicate or opens its own; an
//! important signal escalates by itself; a surge in its category and district opens (or
//! grows) a surge signal. Runs in the signal consumer's transaction, after the alert left.
//!
//! Reports that arrived together are placed together: first in memory, in order (a report
//! may join the signal an earlier one of the batch opened), then written in a few
//! statements for the whole batch and one update per signal it grew. On SQLite every
//! statement is a round trip to the database's thread while the write lock is held, and
//! classification waits for that lock: per-report statements made clustering the pace of
//! the whole pipeline.

mod pool;

use std::{collections::HashMap, sync::Arc};

use chrono::Utc;
use prism_contracts::{
    events::triage::{ReportClassified, SignalEscalated, SignalOpened, SignalUpdated},
    Envelope, RiskLevel,
};
use prism_messaging::Outbox;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, DatabaseTransaction, DbErr,
    EntityTrait as _, QueryFilter as _, QuerySelect as _,
};
use serde_json::json;
use uuid::Uuid;

use self::pool::{signals_of, Parts, PartsCache, Pool};
use super::{
    entities::{alert, classification, signal, signal_report},
    signals,
};
use crate::{
    domain::{duplicate::DuplicateRule, surge::SurgeTest},
    NAME,
};

/// The rules clustering applies, and what it remembers of reports it has compared.
#[derive(Default)]
pub struct Clustering {
    pub duplicates: DuplicateRule,
    pub surges: SurgeTest,
    seen: PartsCache,
}

/// How many earlier reports of the same category a new one is compared with.
const MAX_CANDIDATES: u64 = 500;

/// Why triage escalates an important signal by itself.
const IMPORTANT_REPORT: &str = "important report";

/// A classified report being placed, with the trace of the delivery that brought it.
pub struct Placing<'a> {
    pub cause: &'a Envelope<ReportClassified>,
    pub trace: &'a str,
    pub row: classification::Model,
    pub category: String,
    parts: Arc<Parts>,
}

/// What a batch does to one duplicates signal: the signal as it was (or as it opens) and
/// the batch's reports that join it.
struct Growth<'b, 'a> {
    signal: signal::Model,
    opened: bool,
    members: Vec<&'b Placing<'a>>,
}

/// A batch's candidates, read before its transaction (see [`Clustering::prepare`]).
pub struct Prepared {
    reports: Vec<Uuid>,
    pool: Pool,
}

impl Clustering {
    /// Reads a batch's candidates ahead, outside the write gate, so that on SQLite
    /// classification can write while clustering reads.
    pub async fn prepare(
        &self,
        db: &impl ConnectionTrait,
        causes: &[(Envelope<ReportClassified>, String)],
    ) -> Result<Prepared, DbErr> {
        let batch = placing(db, causes).await?;
        let pool = Pool::load(db, &self.duplicates, &batch, &self.seen).await?;
        Ok(Prepared {
            reports: batch.iter().map(|p| p.row.report_id).collect(),
            pool,
        })
    }

    /// Places classified reports that arrived together in signals, in order, and checks
    /// for surges; with their candidates `prepared` ahead if they were.
    pub async fn place(
        &self,
        txn: &DatabaseTransaction,
        outbox: &Outbox,
        causes: &[(Envelope<ReportClassified>, String)],
        prepared: Option<Prepared>,
    ) -> Result<(), DbErr> {
        let batch = placing(txn, causes).await?;
        if batch.is_empty() {
            return Ok(());
        }
        let ahead = prepared
            .filter(|p| p.reports.iter().eq(batch.iter().map(|b| &b.row.report_id)))
            .map(|p| p.pool);
        let planned = match ahead {
            Some(pool) => self.plan(txn, pool, &batch).await?,
            None => None,
        };
        let growths = match planned {
            Some(growths) => growths,
            // Not read ahead, or a signal it chose was dismissed or merged meanwhile:
            // decide again on what the transaction sees.
            None => {
                let pool = Pool::load(txn, &self.duplicates, &batch, &self.seen).await?;
                self.plan(txn, pool, &batch).await?.ok_or_else(|| {
                    DbErr::Custom("a signal changed while clustering read it".to_owned())
                })?
            }
        };
        write(txn, outbox, growths).await?;
        super::surges::count_and_check(&self.surges, txn, outbox, &batch).await
    }

    /// Which signal each report goes to, in order (an earlier report's, or one it opens),
    /// with the signals as the transaction sees them; `None` when a signal chosen is no
    /// longer active.
    async fn plan<'b, 'a>(
        &self,
        txn: &DatabaseTransaction,
        mut pool: Pool,
        batch: &'b [Placing<'a>],
    ) -> Result<Option<Vec<Growth<'b, 'a>>>, DbErr> {
        let mut planned: Vec<(Uuid, Option<signal::Model>, Vec<&'b Placing<'a>>)> = Vec::new();
        for placing in batch {
            let id = match pool.nearest(&self.duplicates, placing) {
                Some(id) => id,
                None => {
                    let opened = new_signal(&placing.row, "single_report");
                    pool.statuses.insert(opened.id, opened.status.clone());
                    let id = opened.id;
                    planned.push((id, Some(opened), Vec::new()));
                    id
                }
            };
            match planned.iter_mut().find(|(planned, _, _)| *planned == id) {
                Some((_, _, members)) => members.push(placing),
                None => planned.push((id, None, vec![placing])),
            }
            pool.add(placing, id);
        }
        let existing: Vec<Uuid> = planned
            .iter()
            .filter(|(_, opened, _)| opened.is_none())
            .map(|(id, _, _)| *id)
            .collect();
        let mut models: HashMap<Uuid, signal::Model> = signal::Entity::find()
            .filter(signal::Column::Id.is_in(existing))
            .filter(signal::Column::Status.is_in(signals::ACTIVE))
            .all(txn)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let mut growths = Vec::with_capacity(planned.len());
        for (id, opened, members) in planned {
            let is_new = opened.is_some();
            let Some(signal) = opened.or_else(|| models.remove(&id)) else {
                return Ok(None);
            };
            growths.push(Growth {
                signal,
                opened: is_new,
                members,
            });
        }
        Ok(Some(growths))
    }
}

/// The reports of `causes` still to be placed: classified, with a category, in no
/// duplicates signal yet, each once.
async fn placing<'a>(
    txn: &impl ConnectionTrait,
    causes: &'a [(Envelope<ReportClassified>, String)],
) -> Result<Vec<Placing<'a>>, DbErr> {
    let ids: Vec<Uuid> = causes.iter().map(|(c, _)| c.data.report_id).collect();
    let mut rows: HashMap<Uuid, classification::Model> = classification::Entity::find()
        .filter(classification::Column::ReportId.is_in(ids.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| (row.report_id, row))
        .collect();
    let placed = signals_of(txn, &ids).await?;
    let mut batch = Vec::with_capacity(causes.len());
    for (cause, trace) in causes {
        let id = cause.data.report_id;
        if placed.contains_key(&id) {
            continue;
        }
        // `remove`: each report once. Unclassified: it joins a signal once a person gives
        // it a category.
        let Some(row) = rows.remove(&id) else {
            continue;
        };
        let Some(category) = row.category.clone() else {
            continue;
        };
        batch.push(Placing {
            cause,
            trace,
            parts: Arc::new(Parts::of(&row)),
            row,
            category,
        });
    }
    Ok(batch)
}

/// A signal about to open with `first`, before any report is attached.
fn new_signal(first: &classification::Model, origin: &str) -> signal::Model {
    signal::Model {
        id: Uuid::now_v7(),
        product: first.product.clone(),
        category: first.category.clone(),
        districts: json!([]),
        district_index: String::new(),
        report_count: 0,
        important: false,
        status: "open".to_owned(),
        origin: origin.to_owned(),
        surge_key: None,
        level: None,
        first_seen: first.received_at,
        last_seen: first.received_at,
        updated_at: Utc::now(),
    }
}

/// The events a batch announces, each with the trace of the report that caused it.
#[derive(Default)]
struct Announcements {
    opened: Vec<(Envelope<SignalOpened>, String)>,
    updated: Vec<(Envelope<SignalUpdated>, String)>,
    escalated: Vec<(Envelope<SignalEscalated>, String)>,
}

/// Writes what the batch did to its signals: new signals and memberships, audits and
/// events in a few multi-row statements, one update per signal that grew.
async fn write(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    growths: Vec<Growth<'_, '_>>,
) -> Result<(), DbErr> {
    let ids: Vec<Uuid> = growths
        .iter()
        .flat_map(|g| g.members.iter().map(|p| p.row.report_id))
        .collect();
    let levels: HashMap<Uuid, String> = alert::Entity::find()
        .select_only()
        .columns([alert::Column::ReportId, alert::Column::Level])
        .filter(alert::Column::ReportId.is_in(ids))
        .into_tuple::<(Uuid, String)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let earlier = earlier_members(txn, &growths).await?;
    let now = Utc::now();
    let mut opened = Vec::new();
    let mut members = Vec::new();
    let mut audits = Vec::new();
    let mut announced = Announcements::default();
    for growth in growths {
        let Some(last) = growth.members.last() else {
            continue;
        };
        let rows: Vec<&classification::Model> = growth.members.iter().map(|p| &p.row).collect();
        let levels: Vec<String> = rows
            .iter()
            .filter_map(|r| levels.get(&r.report_id).cloned())
            .collect();
        let mut signal = signals::grown(growth.signal.clone(), &rows, &levels);
        if signal.report_count > 1 && signal.origin == "single_report" {
            signal.origin = "duplicates".to_owned();
        }
        let escalates = signal.important && signal.status == "open";
        let mut report_ids = earlier.get(&signal.id).cloned().unwrap_or_default();
        report_ids.extend(rows.iter().map(|r| r.report_id));
        members.extend(rows.iter().map(|r| (signal.id, r.report_id)));
        // The first report of a new signal opens it; every other one is added to it.
        let added = if growth.opened {
            let detail = json!({"origin": "single_report"});
            audits.push(signals::audit_entry(
                signal.id, "opened", None, None, detail,
            ));
            let snapshot = signals::snapshot_of(&signal, report_ids.clone());
            let event = SignalOpened {
                signal: snapshot,
                opened_at: now,
            };
            announced.opened.push(caused(last, event));
            &rows[1..]
        } else {
            &rows[..]
        };
        for row in added {
            let detail = json!({"report_id": row.report_id});
            audits.push(signals::audit_entry(
                signal.id,
                "report_added",
                None,
                None,
                detail,
            ));
        }
        if escalates {
            signal.status = "escalated".to_owned();
            let detail = json!({"level": null});
            let reason = Some(IMPORTANT_REPORT);
            audits.push(signals::audit_entry(
                signal.id,
                "escalated",
                None,
                reason,
                detail,
            ));
        }
        if growth.opened {
            opened.push(signal::ActiveModel::from(signal.clone()).reset_all());
        } else {
            signal = signals::save(txn, signal).await?;
            let event = SignalUpdated {
                signal: signals::snapshot_of(&signal, report_ids.clone()),
                change: "report_added".to_owned(),
                by: None,
                reason: None,
                updated_at: now,
            };
            announced.updated.push(caused(last, event));
        }
        if escalates {
            let event = SignalEscalated {
                level: signal.level.as_deref().and_then(RiskLevel::parse),
                signal: signals::snapshot_of(&signal, report_ids),
                by: None,
                reason: IMPORTANT_REPORT.to_owned(),
                escalated_at: now,
            };
            announced.escalated.push(caused(last, event));
        }
    }
    if !opened.is_empty() {
        signal::Entity::insert_many(opened).exec(txn).await?;
    }
    signals::insert_members(txn, &members).await?;
    signals::insert_audits(txn, audits).await?;
    stage(txn, outbox, &announced.opened).await?;
    stage(txn, outbox, &announced.updated).await?;
    stage(txn, outbox, &announced.escalated).await
}

/// The reports already in the signals a batch grows, for their events: all of them for
/// signals small enough, the latest [`signals::SNAPSHOT_REPORT_IDS`] of larger ones.
async fn earlier_members(
    txn: &DatabaseTransaction,
    growths: &[Growth<'_, '_>],
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let limit = signals::SNAPSHOT_REPORT_IDS;
    let existing = growths.iter().filter(|g| !g.opened).map(|g| &g.signal);
    let (small, large): (Vec<_>, Vec<_>) =
        existing.partition(|s| u64::try_from(s.report_count).unwrap_or(u64::MAX) <= limit);
    let mut found: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    if !small.is_empty() {
        let pairs: Vec<(Uuid, Uuid)> = signal_report::Entity::find()
            .select_only()
            .columns([
                signal_report::Column::SignalId,
                signal_report::Column::ReportId,
            ])
            .filter(signal_report::Column::SignalId.is_in(small.iter().map(|s| s.id)))
            .into_tuple()
            .all(txn)
            .await?;
        for (signal, report) in pairs {
            found.entry(signal).or_default().push(report);
        }
    }
    for signal in large {
        found.insert(signal.id, signals::latest_report_ids(txn, signal.id).await?);
    }
    Ok(found)
}

fn caused<T: prism_contracts::Event>(placing: &Placing<'_>, event: T) -> (Envelope<T>, String) {
    (
        Envelope::caused_by(NAME, placing.cause, event),
        placing.trace.to_owned(),
    )
}

async fn stage<T: prism_contracts::Event>(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    events: &[(Envelope<T>, String)],
) -> Result<(), DbErr> {
    if events.is_empty() {
        return Ok(());
    }
    let traced: Vec<_> = events.iter().map(|(e, t)| (e, t.as_str())).collect();
    outbox.stage_traced(txn, &traced).await.map(drop)
}

/// Opens a signal with `reports` and announces it.
pub(super) async fn open(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    cause: &Placing<'_>,
    reports: &[Uuid],
    origin: &str,
) -> Result<signal::Model, DbErr> {
    let now = Utc::now();
    let row = signal::ActiveModel::from(new_signal(&cause.row, origin))
        .reset_all()
        .insert(txn)
        .await?;
    let id = row.id;
    signals::attach(txn, id, reports).await?;
    let signal = signals::recompute(txn, row).await?;
    signals::audit(txn, id, "opened", None, None, json!({"origin": origin})).await?;
    let event = SignalOpened {
        signal: signals::snapshot(txn, &signal).await?,
        opened_at: now,
    };
    stage(txn, outbox, &[caused(cause, event)]).await?;
    Ok(signal)
}
