//! The earlier reports a batch may duplicate, read once per batch.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use sea_orm::{
    prelude::DateTimeUtc,
    sea_query::{Alias, Expr, JoinType, Order, Query},
    ColumnTrait as _, Condition, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
    QuerySelect as _,
};
use uuid::Uuid;

use super::{Placing, MAX_CANDIDATES};
use crate::{
    domain::{
        duplicate::{Candidate, DuplicateRule},
        similarity::Signature,
    },
    store::{
        classifications,
        entities::{classification, classification_district, signal, signal_report},
        signals,
    },
};

/// The earlier reports a batch's reports may duplicate, with their signals; the batch's
/// own reports join it as they are placed, so two reports of one risk arriving together
/// end in one signal.
pub struct Pool {
    candidates: Vec<Known>,
    /// The status of each candidate's signal, and of signals the batch opens.
    pub statuses: HashMap<Uuid, String>,
}

/// A placed report: what the duplicate rule compares, and its signal.
struct Known {
    category: String,
    parts: Arc<Parts>,
    signal: Option<Uuid>,
}

/// What the duplicate rule compares of reports seen lately. A report's product, districts,
/// time and text never change (its category may, and is read afresh), so each batch reads
/// and parses only the fingerprints of reports it has not met: the candidates of one
/// category are the same few hundred reports batch after batch.
#[derive(Default)]
pub struct PartsCache {
    entries: Mutex<HashMap<Uuid, Arc<Parts>>>,
}

/// Reports kept at most (about 1.2 KiB each); the cache starts over when full.
const CACHED: usize = 20_000;

impl PartsCache {
    fn get(&self, ids: &[Uuid]) -> HashMap<Uuid, Arc<Parts>> {
        let Ok(entries) = self.entries.lock() else {
            return HashMap::new();
        };
        ids.iter()
            .filter_map(|id| Some((*id, entries.get(id)?.clone())))
            .collect()
    }

    fn put(&self, found: &HashMap<Uuid, Arc<Parts>>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() + found.len() > CACHED {
                entries.clear();
            }
            entries.extend(found.iter().map(|(id, parts)| (*id, parts.clone())));
        }
    }
}

/// A report of the category seen in a district, with the duplicates signal it is in.
struct Nearby {
    report_id: Uuid,
    received_at: DateTimeUtc,
    signal: Option<Uuid>,
    status: Option<String>,
}

/// The latest `limit` reports of `category` in `district` received within the rule's window
/// around `from`..`to` (the batch's first and last), each with the duplicates signal it is in
/// and that signal's status, in one statement that walks the district index backwards in time.
async fn nearby(
    txn: &impl ConnectionTrait,
    rule: &DuplicateRule,
    category: &str,
    district: &str,
    (from, to): (DateTimeUtc, DateTimeUtc),
    limit: u64,
) -> Result<Vec<Nearby>, DbErr> {
    use classification_district::Column as Place;
    let place = |column| Expr::col((classification_district::Entity, column));
    let query = Query::select()
        .expr_as(place(Place::ReportId), Alias::new("report_id"))
        .expr_as(place(Place::ReceivedAt), Alias::new("received_at"))
        .expr_as(
            Expr::col((signal::Entity, signal::Column::Id)),
            Alias::new("signal_id"),
        )
        .expr_as(
            Expr::col((signal::Entity, signal::Column::Status)),
            Alias::new("status"),
        )
        .from(classification_district::Entity)
        .left_join(
            signal_report::Entity,
            Expr::col((signal_report::Entity, signal_report::Column::ReportId))
                .equals((classification_district::Entity, Place::ReportId)),
        )
        .join(
            JoinType::LeftJoin,
            signal::Entity,
            Condition::all()
                .add(
                    Expr::col((signal::Entity, signal::Column::Id))
                        .equals((signal_report::Entity, signal_report::Column::SignalId)),
                )
                .add(Expr::col((signal::Entity, signal::Column::Origin)).ne("surge")),
        )
        .and_where(place(Place::Category).eq(category))
        .and_where(place(Place::District).eq(district))
        .and_where(place(Place::ReceivedAt).gte(from - rule.window))
        .and_where(place(Place::ReceivedAt).lte(to + rule.window))
        .order_by(
            (classification_district::Entity, Place::ReceivedAt),
            Order::Desc,
        )
        .limit(limit)
        .to_owned();
    let backend = txn.get_database_backend();
    let mut found = Vec::new();
    for row in txn.query_all(backend.build(&query)).await? {
        found.push(Nearby {
            report_id: row.try_get("", "report_id")?,
            received_at: row.try_get("", "received_at")?,
            signal: row.try_get("", "signal_id")?,
            status: row.try_get("", "status")?,
        });
    }
    Ok(found)
}

impl Pool {
    /// Per category of the batch, the latest [`MAX_CANDIDATES`] reports within the window
    /// that share a district with one of the batch's: cheap columns first, since most
    /// candidates share no district and their fingerprints (256 numbers each) need not be
    /// read and parsed; each fingerprint is parsed once for the whole batch.
    pub async fn load(
        txn: &impl ConnectionTrait,
        rule: &DuplicateRule,
        batch: &[Placing<'_>],
        cache: &PartsCache,
    ) -> Result<Self, DbErr> {
        let own: HashSet<Uuid> = batch.iter().map(|p| p.row.report_id).collect();
        let mut categories: Vec<&str> = batch.iter().map(|p| p.category.as_str()).collect();
        categories.sort_unstable();
        categories.dedup();
        let mut ids: Vec<Uuid> = Vec::new();
        let mut categories_of: HashMap<Uuid, (String, Option<Uuid>)> = HashMap::new();
        let mut statuses: HashMap<Uuid, String> = HashMap::new();
        for category in categories {
            let of_category = || batch.iter().filter(move |p| p.category == category);
            let (Some(from), Some(to)) = (
                of_category().map(|p| p.row.received_at).min(),
                of_category().map(|p| p.row.received_at).max(),
            ) else {
                continue;
            };
            let mut districts: Vec<&str> = of_category()
                .flat_map(|p| p.parts.districts.iter().map(String::as_str))
                .collect();
            districts.sort_unstable();
            districts.dedup();
            // Sharing a district is found in the district index, so that only the few
            // candidates that can match are read: on SQLite every row is a message between
            // threads, and on PostgreSQL filtering every report of the category by its JSON
            // districts took 9 ms a query. One query per district: with the districts as a
            // list, neither database can walk the index in time order, so each read every
            // report of the category and district within the window and sorted them, which
            // grew with every report of a long-running risk (77 reports/s with 100,000 alike).
            let limit = MAX_CANDIDATES + own.len() as u64;
            let mut rows = Vec::new();
            for district in districts {
                rows.extend(nearby(txn, rule, category, district, (from, to), limit).await?);
            }
            // The latest `limit` of all districts: the same rows as one query over all of them.
            rows.sort_by_key(|row| std::cmp::Reverse(row.received_at));
            rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            for Nearby {
                report_id: id,
                signal,
                status,
                ..
            } in rows
            {
                if own.contains(&id) {
                    continue;
                }
                // A report comes once per district of the batch it names, and once more,
                // without a signal, when it is in a surge signal as well.
                match categories_of.get_mut(&id) {
                    Some((_, known)) => *known = known.or(signal),
                    None => {
                        ids.push(id);
                        categories_of.insert(id, (category.to_owned(), signal));
                    }
                }
                if let (Some(signal), Some(status)) = (signal, status) {
                    statuses.insert(signal, status);
                }
            }
        }
        let mut parts = cache.get(&ids);
        let missing: Vec<Uuid> = ids
            .iter()
            .filter(|id| !parts.contains_key(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            let read = read_parts(txn, missing).await?;
            cache.put(&read);
            parts.extend(read);
        }
        let candidates = categories_of
            .into_iter()
            .filter_map(|(id, (category, signal))| {
                Some(Known {
                    category,
                    parts: parts.remove(&id)?,
                    signal,
                })
            })
            .collect();
        Ok(Self {
            candidates,
            statuses,
        })
    }

    /// The active signal of the most similar report, if one is similar enough.
    pub fn nearest(&self, rule: &DuplicateRule, placing: &Placing<'_>) -> Option<Uuid> {
        let own = placing.parts.view(&placing.category);
        let mut scored: Vec<(f64, Uuid)> = self
            .candidates
            .iter()
            .filter_map(|known| {
                let signal = known.signal?;
                let score = rule.score(&own, &known.parts.view(&known.category))?;
                Some((score, signal))
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.into_iter().map(|(_, signal)| signal).find(|id| {
            self.statuses
                .get(id)
                .is_some_and(|s| signals::ACTIVE.contains(&s.as_str()))
        })
    }

    /// A batch report placed in `signal`: later reports of the batch may join it.
    pub fn add(&mut self, placing: &Placing<'_>, signal: Uuid) {
        self.candidates.push(Known {
            category: placing.category.clone(),
            parts: placing.parts.clone(),
            signal: Some(signal),
        });
    }
}

/// What the rule compares of `reports`, read from their classifications: the fingerprint
/// as text, parsed straight into a signature rather than through a JSON tree of 256
/// numbers.
async fn read_parts(
    txn: &impl ConnectionTrait,
    reports: Vec<Uuid>,
) -> Result<HashMap<Uuid, Arc<Parts>>, DbErr> {
    use classification::Column;
    type Row = (Uuid, String, serde_json::Value, DateTimeUtc, Option<String>);
    let rows: Vec<Row> = classification::Entity::find()
        .select_only()
        .columns([
            Column::ReportId,
            Column::Product,
            Column::Districts,
            Column::ReceivedAt,
        ])
        .column_as(
            Expr::col(Column::Fingerprint).cast_as(Alias::new("text")),
            "fingerprint",
        )
        .filter(Column::ReportId.is_in(reports))
        .into_tuple()
        .all(txn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, product, districts, received_at, fingerprint)| {
            let parts = Parts {
                product,
                districts: serde_json::from_value(districts).unwrap_or_default(),
                received_at,
                signature: fingerprint
                    .and_then(|f| serde_json::from_str(&f).ok())
                    .unwrap_or_default(),
            };
            (id, Arc::new(parts))
        })
        .collect())
}

/// The duplicates (not surge) signal each of `reports` is in, if any.
pub async fn signals_of(
    txn: &impl ConnectionTrait,
    reports: &[Uuid],
) -> Result<HashMap<Uuid, signal::Model>, DbErr> {
    let pairs: Vec<(Uuid, Uuid)> = signal_report::Entity::find()
        .select_only()
        .columns([
            signal_report::Column::ReportId,
            signal_report::Column::SignalId,
        ])
        .filter(signal_report::Column::ReportId.is_in(reports.to_vec()))
        .into_tuple()
        .all(txn)
        .await?;
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let mut ids: Vec<Uuid> = pairs.iter().map(|(_, s)| *s).collect();
    ids.sort_unstable();
    ids.dedup();
    let signals: HashMap<Uuid, signal::Model> = signal::Entity::find()
        .filter(signal::Column::Id.is_in(ids))
        .filter(signal::Column::Origin.ne("surge"))
        .all(txn)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    Ok(pairs
        .into_iter()
        .filter_map(|(report, signal)| Some((report, signals.get(&signal)?.clone())))
        .collect())
}

/// What the duplicate rule compares of a classified report, besides its category.
pub struct Parts {
    product: String,
    pub districts: Vec<String>,
    received_at: DateTimeUtc,
    signature: Signature,
}

impl Parts {
    pub fn of(row: &classification::Model) -> Self {
        Self {
            product: row.product.clone(),
            districts: classifications::districts(row),
            received_at: row.received_at,
            signature: row
                .fingerprint
                .clone()
                .and_then(|f| serde_json::from_value(f).ok())
                .unwrap_or_default(),
        }
    }

    fn view<'a>(&'a self, category: &'a str) -> Candidate<'a> {
        Candidate {
            category: Some(category),
            product: &self.product,
            districts: &self.districts,
            received_at: self.received_at,
            signature: &self.signature,
        }
    }
}
