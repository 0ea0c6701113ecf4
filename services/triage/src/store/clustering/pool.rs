//! The earlier reports a batch may duplicate, read once per batch.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use sea_orm::{
    prelude::DateTimeUtc,
    sea_query::{Alias, Expr},
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _,
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
/// and decodes only the signatures of reports it has not met: the candidates of one
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

/// Candidates whose signals one statement looks up: under both databases' parameter limits.
const MEMBERSHIPS_PER_STATEMENT: usize = 2000;

/// The latest `limit` reports of `category` in `district` received within the rule's window
/// around `from`..`to` (the batch's first and last), latest first, each with its time: one
/// statement that walks the district index backwards in time.
async fn nearby(
    txn: &impl ConnectionTrait,
    rule: &DuplicateRule,
    category: &str,
    district: &str,
    (from, to): (DateTimeUtc, DateTimeUtc),
    limit: u64,
) -> Result<Vec<(DateTimeUtc, Uuid)>, DbErr> {
    use classification_district::Column as Place;
    classification_district::Entity::find()
        .select_only()
        .columns([Place::ReceivedAt, Place::ReportId])
        .filter(Place::Category.eq(category))
        .filter(Place::District.eq(district))
        .filter(Place::ReceivedAt.gte(from - rule.window))
        .filter(Place::ReceivedAt.lte(to + rule.window))
        .order_by_desc(Place::ReceivedAt)
        .limit(limit)
        .into_tuple()
        .all(txn)
        .await
}

impl Pool {
    /// Per category of the batch, the latest [`MAX_CANDIDATES`] reports within the window
    /// that share a district with one of the batch's: cheap columns first, since most
    /// candidates share no district and their signatures (256 numbers each) need not be
    /// read; each signature is decoded once for the whole batch.
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
            // The batch's own reports come back too and are skipped below.
            let limit = MAX_CANDIDATES + of_category().count() as u64;
            let mut rows = Vec::new();
            for district in districts {
                rows.extend(nearby(txn, rule, category, district, (from, to), limit).await?);
            }
            // The latest of all districts, each report once (it comes once per district of
            // the batch it names).
            rows.sort_unstable_by(|a, b| b.cmp(a));
            rows.dedup();
            let latest = rows
                .into_iter()
                .map(|(_, id)| id)
                .filter(|id| !own.contains(id))
                .take(usize::try_from(MAX_CANDIDATES).unwrap_or(usize::MAX));
            for id in latest {
                ids.push(id);
                categories_of.insert(id, (category.to_owned(), None));
            }
        }
        // The duplicates signals of the candidates kept only: joined in the district
        // queries, the signal look-ups ran for every report of every district read, most
        // of which the latest across the districts left out (PostgreSQL: 1.7 ms a query,
        // most of clustering's time, in triage's `alert_latency` example).
        for chunk in ids.chunks(MEMBERSHIPS_PER_STATEMENT) {
            for (report, signal) in signals_of(txn, chunk).await? {
                if let Some((_, known)) = categories_of.get_mut(&report) {
                    *known = Some(signal.id);
                }
                statuses.insert(signal.id, signal.status);
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

/// A classification's signature: its bytes, or for a row written before they were stored,
/// its JSON `fingerprint`; empty (similar to nothing) if it has neither.
fn stored_signature(bytes: Option<&[u8]>, json: impl FnOnce() -> Option<Signature>) -> Signature {
    bytes
        .and_then(Signature::from_bytes)
        .or_else(json)
        .unwrap_or_default()
}

/// What the rule compares of `reports`, read from their classifications: the signature's
/// bytes, or an older row's fingerprint as text, parsed straight into a signature rather
/// than through a JSON tree of 256 numbers.
async fn read_parts(
    txn: &impl ConnectionTrait,
    reports: Vec<Uuid>,
) -> Result<HashMap<Uuid, Arc<Parts>>, DbErr> {
    use classification::Column;
    type Row = (
        Uuid,
        String,
        serde_json::Value,
        DateTimeUtc,
        Option<Vec<u8>>,
        Option<String>,
    );
    let rows: Vec<Row> = classification::Entity::find()
        .select_only()
        .columns([
            Column::ReportId,
            Column::Product,
            Column::Districts,
            Column::ReceivedAt,
            Column::Signature,
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
        .map(
            |(id, product, districts, received_at, signature, fingerprint)| {
                let parts = Parts {
                    product,
                    districts: serde_json::from_value(districts).unwrap_or_default(),
                    received_at,
                    signature: stored_signature(signature.as_deref(), || {
                        fingerprint.and_then(|f| serde_json::from_str(&f).ok())
                    }),
                };
                (id, Arc::new(parts))
            },
        )
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
            signature: stored_signature(row.signature.as_deref(), || {
                row.fingerprint
                    .clone()
                    .and_then(|f| serde_json::from_value(f).ok())
            }),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::similarity::signature;

    #[test]
    fn a_signature_is_read_from_its_bytes_or_an_older_rows_json() {
        let signed = signature("充电宝充电时鼓包起火");
        let bytes = signed.to_bytes();
        let json = serde_json::json!(signed).to_string();
        let from_json = || serde_json::from_str(&json).ok();
        assert_eq!(stored_signature(Some(&bytes), || None), signed);
        assert_eq!(stored_signature(None, from_json), signed);
        assert_eq!(stored_signature(Some(&[1, 2, 3]), from_json), signed);
        assert_eq!(stored_signature(None, || None), Signature::default());
    }
}
