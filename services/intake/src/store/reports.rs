//! Reports: accepting one (with its event and idempotency record in one transaction),
//! reading and listing.

use chrono::{DateTime, Utc};
use prism_contracts::{events::intake::ReportReceived, Envelope, ReportKind};
use prism_messaging::Outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, DatabaseConnection, DbErr, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, SqlErr, TransactionTrait as _,
};
use uuid::Uuid;

use super::{
    district_index,
    entities::{idempotency, report, station},
};
use crate::domain::{period, report::ValidReport};

/// A request's `Idempotency-Key` with the hash of its body.
pub struct IdempotencyKey {
    pub key: String,
    pub request_hash: String,
}

/// The stored first answer to an idempotent request.
pub struct StoredAnswer {
    pub status: u16,
    pub body: String,
    pub request_hash: String,
}

/// What accepting a report came to.
pub enum Accepted {
    New(Box<report::Model>),
    /// The key was used before: here is the first answer.
    Repeat(StoredAnswer),
}

/// Looks up the first answer for an idempotency key.
pub async fn stored_answer(
    db: &DatabaseConnection,
    station_id: Uuid,
    key: &str,
) -> Result<Option<StoredAnswer>, DbErr> {
    Ok(
        idempotency::Entity::find_by_id((station_id, key.to_owned()))
            .one(db)
            .await?
            .map(|row| StoredAnswer {
                status: u16::try_from(row.status).unwrap_or(201),
                body: row.body,
                request_hash: row.request_hash,
            }),
    )
}

/// Stores a report, its `ReportReceived` event and (with a key) its answer, all in one
/// transaction. `answer` renders the response body from the stored row.
pub async fn accept(
    db: &DatabaseConnection,
    outbox: &Outbox,
    station: &station::Model,
    valid: ValidReport,
    idempotency: Option<IdempotencyKey>,
    answer: impl Fn(&report::Model) -> String,
) -> Result<Accepted, DbErr> {
    // Queue for SQLite's one writer, important reports first, rather than sleep in its busy
    // handler behind a consumer's transaction.
    let _turn = outbox
        .gate()
        .enter(db, valid.kind == ReportKind::Important)
        .await;
    let received_at = Utc::now();
    let row = to_row(station.id, valid, received_at);
    let txn = db.begin().await?;
    // The idempotency row goes first: on SQLite a transaction that starts by writing waits
    // for the write lock instead of failing to upgrade, and a concurrent retry with the same
    // key stops here on the primary key.
    if let Some(key) = &idempotency {
        let record = idempotency::ActiveModel {
            station_id: Set(station.id),
            key: Set(key.key.clone()),
            request_hash: Set(key.request_hash.clone()),
            status: Set(201),
            body: Set(answer(&row)),
            created_at: Set(received_at),
        };
        if let Err(error) = idempotency::Entity::insert(record).exec(&txn).await {
            txn.rollback().await?;
            if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                if let Some(first) = stored_answer(db, station.id, &key.key).await? {
                    return Ok(Accepted::Repeat(first));
                }
            }
            return Err(error);
        }
    }
    let stored = report::Entity::insert(report::ActiveModel::from(row.clone()))
        .exec_with_returning(&txn)
        .await?;
    let staged = outbox
        .stage(
            &txn,
            &Envelope::new("intake", received_event(station, &stored)),
        )
        .await?;
    txn.commit().await?;
    outbox.committed_with(staged);
    Ok(Accepted::New(Box::new(stored)))
}

/// What storing a batch came to.
pub enum BatchAccepted {
    New(Vec<report::Model>),
    /// The key was used before: here is the first answer.
    Repeat(StoredAnswer),
}

/// Stores a batch of valid reports and their `ReportReceived` events in one transaction:
/// all of them or, on error, none. With a key, `answer` renders the response stored with it.
pub async fn accept_many(
    db: &DatabaseConnection,
    outbox: &Outbox,
    station: &station::Model,
    valid: Vec<ValidReport>,
    idempotency: Option<(IdempotencyKey, u16)>,
    answer: impl FnOnce(&[report::Model]) -> String,
) -> Result<BatchAccepted, DbErr> {
    if valid.is_empty() {
        return Ok(BatchAccepted::New(Vec::new()));
    }
    let important = valid.iter().any(|v| v.kind == ReportKind::Important);
    let _turn = outbox.gate().enter(db, important).await;
    let received_at = Utc::now();
    let rows: Vec<report::Model> = valid
        .into_iter()
        .map(|v| to_row(station.id, v, received_at))
        .collect();
    let txn = db.begin().await?;
    // As for one report, the idempotency row goes first: the write that takes SQLite's lock,
    // and the key that stops a concurrent retry.
    if let Some((key, status)) = &idempotency {
        let record = idempotency::ActiveModel {
            station_id: Set(station.id),
            key: Set(key.key.clone()),
            request_hash: Set(key.request_hash.clone()),
            status: Set(i32::from(*status)),
            body: Set(answer(&rows)),
            created_at: Set(received_at),
        };
        if let Err(error) = idempotency::Entity::insert(record).exec(&txn).await {
            txn.rollback().await?;
            if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                if let Some(first) = stored_answer(db, station.id, &key.key).await? {
                    return Ok(BatchAccepted::Repeat(first));
                }
            }
            return Err(error);
        }
    }
    // Multi-row inserts, in chunks that stay under SQLite's and PostgreSQL's bound-parameter
    // limits.
    for chunk in rows.chunks(200) {
        report::Entity::insert_many(chunk.iter().cloned().map(report::ActiveModel::from))
            .exec(&txn)
            .await?;
    }
    let events: Vec<_> = rows
        .iter()
        .map(|row| Envelope::new("intake", received_event(station, row)))
        .collect();
    let staged = outbox.stage_many(&txn, &events).await?;
    txn.commit().await?;
    outbox.committed_with(staged);
    Ok(BatchAccepted::New(rows))
}

pub(crate) fn to_row(
    station_id: Uuid,
    valid: ValidReport,
    received_at: DateTime<Utc>,
) -> report::Model {
    let period = match (&valid.period, valid.kind) {
        (Some(named), _) => named.clone(),
        (None, prism_contracts::ReportKind::Routine) => period::routine_period_of(received_at),
        (None, _) => period::period_of(received_at),
    };
    report::Model {
        id: Uuid::now_v7(),
        station_id,
        kind: valid.kind.as_str().to_owned(),
        product: valid.product,
        category: valid.category,
        enterprise_count: valid.enterprise_count,
        district_index: district_index(&valid.districts),
        districts: serde_json::json!(valid.districts),
        content: valid.content,
        analysis: valid.analysis,
        recommendation: valid.recommendation,
        source: valid.source,
        hazards: serde_json::json!(valid.hazards),
        deaths: valid
            .casualties
            .map(|c| i32::try_from(c.deaths).unwrap_or(i32::MAX)),
        injuries: valid
            .casualties
            .map(|c| i32::try_from(c.injuries).unwrap_or(i32::MAX)),
        occurred_at: valid.occurred_at,
        reporter_name: valid.reporter.as_ref().map(|r| r.name.clone()),
        reporter_phone: valid.reporter.and_then(|r| r.phone),
        ecommerce: valid.ecommerce.map(|e| serde_json::json!(e)),
        status: "received".to_owned(),
        period,
        received_at,
    }
}

/// The event that tells triage everything about a new report.
pub fn received_event(station: &station::Model, row: &report::Model) -> ReportReceived {
    ReportReceived {
        report_id: row.id,
        station_id: station.id,
        station_code: station.code.clone(),
        station_kind: station.kind.clone(),
        kind: prism_contracts::ReportKind::parse(&row.kind)
            .unwrap_or(prism_contracts::ReportKind::Routine),
        product: row.product.clone(),
        category: row.category.clone(),
        districts: strings(&row.districts),
        content: row.content.clone(),
        analysis: row.analysis.clone(),
        recommendation: row.recommendation.clone(),
        source: row.source.clone(),
        hazards: strings(&row.hazards),
        casualties: casualties(row),
        occurred_at: row.occurred_at,
        received_at: row.received_at,
        period: row.period.clone(),
    }
}

/// The casualties of a stored report, if it recorded any.
pub fn casualties(row: &report::Model) -> Option<prism_contracts::Casualties> {
    match (row.deaths, row.injuries) {
        (None, None) => None,
        (deaths, injuries) => Some(prism_contracts::Casualties {
            deaths: u32::try_from(deaths.unwrap_or(0)).unwrap_or(0),
            injuries: u32::try_from(injuries.unwrap_or(0)).unwrap_or(0),
        }),
    }
}

/// A JSON array of strings as a `Vec`.
pub fn strings(value: &serde_json::Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

/// One report.
pub async fn find(db: &DatabaseConnection, id: Uuid) -> Result<Option<report::Model>, DbErr> {
    report::Entity::find_by_id(id).one(db).await
}

/// What a list of reports may be narrowed to.
#[derive(Debug, Default)]
pub struct ReportFilter {
    /// Only this station's reports (a station sees only its own).
    pub station_id: Option<Uuid>,
    /// Only reports involving one of these districts (a district bureau).
    pub visible_districts: Option<Vec<String>>,
    pub kind: Option<String>,
    pub period: Option<String>,
    pub district: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Newest first; `before` is the id of the last report of the previous page.
pub async fn list(
    db: &DatabaseConnection,
    filter: &ReportFilter,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<report::Model>, DbErr> {
    let mut query = report::Entity::find().order_by_desc(report::Column::Id);
    let involves = |code: &str| report::Column::DistrictIndex.like(format!("%,{code},%"));
    if let Some(station_id) = filter.station_id {
        query = query.filter(report::Column::StationId.eq(station_id));
    }
    if let Some(visible) = &filter.visible_districts {
        let any = visible
            .iter()
            .fold(Condition::any(), |any, code| any.add(involves(code)));
        query = query.filter(any);
    }
    if let Some(district) = &filter.district {
        query = query.filter(involves(district));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(report::Column::Kind.eq(kind.as_str()));
    }
    if let Some(period) = &filter.period {
        query = query.filter(report::Column::Period.eq(period.as_str()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(report::Column::Category.eq(category.as_str()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(report::Column::Status.eq(status.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(report::Column::ReceivedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(report::Column::ReceivedAt.lt(to));
    }
    if let Some(before) = before {
        query = query.filter(report::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(db).await
}
