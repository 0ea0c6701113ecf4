//! Signals: their snapshot, recomputing them from their reports, the audit, and the
//! regulator's queue. What regulators do to signals is in [`actions`].

pub mod actions;

use chrono::{DateTime, Utc};
use prism_contracts::{
    districts,
    events::triage::{SignalEscalated, SignalSnapshot},
    RiskLevel,
};
use sea_orm::{
    ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::entities::{alert, classification, signal, signal_action, signal_report};

/// Statuses a report can still join and a regulator can still act on.
pub const ACTIVE: [&str; 2] = ["open", "escalated"];

/// The most report ids an event carries: the latest of the signal's reports. Every report
/// that joins a signal announces the signal again, and a burst can put tens of thousands of
/// reports in one; at 1,000 ids an update was about 38 KiB, read from `signal_reports`,
/// written to the outbox, stored durably by JetStream and read back, for each routine report
/// joining a large signal, and that was a tenth of triage's time under a steady stream of
/// reports. `report_count` is always the true count; the API lists every report.
pub const SNAPSHOT_REPORT_IDS: u64 = 100;

/// The event form of a signal, with its latest [`SNAPSHOT_REPORT_IDS`] reports.
pub async fn snapshot(
    conn: &impl ConnectionTrait,
    signal: &signal::Model,
) -> Result<SignalSnapshot, DbErr> {
    let report_ids = latest_report_ids(conn, signal.id).await?;
    Ok(snapshot_of(signal, report_ids))
}

/// The latest [`SNAPSHOT_REPORT_IDS`] reports of a signal, newest first.
pub async fn latest_report_ids(
    conn: &impl ConnectionTrait,
    signal_id: Uuid,
) -> Result<Vec<Uuid>, DbErr> {
    signal_report::Entity::find()
        .select_only()
        .column(signal_report::Column::ReportId)
        .filter(signal_report::Column::SignalId.eq(signal_id))
        .order_by_desc(signal_report::Column::ReportId)
        .limit(SNAPSHOT_REPORT_IDS)
        .into_tuple()
        .all(conn)
        .await
}

/// The event form of a signal with these reports, of which it keeps the latest
/// [`SNAPSHOT_REPORT_IDS`] (report ids are time-ordered), oldest first.
pub fn snapshot_of(signal: &signal::Model, mut report_ids: Vec<Uuid>) -> SignalSnapshot {
    report_ids.sort_unstable();
    report_ids.dedup();
    let keep = usize::try_from(SNAPSHOT_REPORT_IDS).unwrap_or(usize::MAX);
    let report_ids = report_ids.split_off(report_ids.len().saturating_sub(keep));
    SignalSnapshot {
        signal_id: signal.id,
        product: signal.product.clone(),
        category: signal.category.clone(),
        districts: serde_json::from_value(signal.districts.clone()).unwrap_or_default(),
        report_count: u32::try_from(signal.report_count).unwrap_or(0),
        report_ids,
        important: signal.important,
        status: signal.status.clone(),
        origin: signal.origin.clone(),
        first_seen: signal.first_seen,
        last_seen: signal.last_seen,
    }
}

/// The reports of a signal, oldest first.
pub async fn report_ids(conn: &impl ConnectionTrait, signal_id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    signal_report::Entity::find()
        .select_only()
        .column(signal_report::Column::ReportId)
        .filter(signal_report::Column::SignalId.eq(signal_id))
        .order_by_asc(signal_report::Column::ReportId)
        .into_tuple()
        .all(conn)
        .await
}

/// Adds reports to a signal (those already in it are skipped).
pub async fn attach(
    conn: &impl ConnectionTrait,
    signal_id: Uuid,
    reports: &[Uuid],
) -> Result<(), DbErr> {
    let present = report_ids(conn, signal_id).await?;
    let new: Vec<(Uuid, Uuid)> = reports
        .iter()
        .filter(|r| !present.contains(r))
        .map(|r| (signal_id, *r))
        .collect();
    insert_members(conn, &new).await
}

/// Adds (signal, report) memberships in a few multi-row statements.
pub async fn insert_members(
    conn: &impl ConnectionTrait,
    members: &[(Uuid, Uuid)],
) -> Result<(), DbErr> {
    /// Rows per statement: two columns each, under both databases' parameter limits.
    const CHUNK: usize = 1000;
    for chunk in members.chunks(CHUNK) {
        signal_report::Entity::insert_many(chunk.iter().map(|(signal_id, report_id)| {
            signal_report::ActiveModel {
                signal_id: Set(*signal_id),
                report_id: Set(*report_id),
            }
        }))
        .exec(conn)
        .await?;
    }
    Ok(())
}

/// Adds reports not yet in it to a signal and updates its aggregates from those reports
/// alone, so that a signal of thousands grows at the cost of the newcomers.
pub async fn join(
    conn: &impl ConnectionTrait,
    signal: signal::Model,
    reports: &[&classification::Model],
) -> Result<signal::Model, DbErr> {
    let ids: Vec<Uuid> = reports.iter().map(|r| r.report_id).collect();
    if ids.is_empty() {
        return Ok(signal);
    }
    let members: Vec<(Uuid, Uuid)> = ids.iter().map(|r| (signal.id, *r)).collect();
    insert_members(conn, &members).await?;
    let levels: Vec<String> = alert::Entity::find()
        .select_only()
        .column(alert::Column::Level)
        .filter(alert::Column::ReportId.is_in(ids.clone()))
        .into_tuple()
        .all(conn)
        .await?;
    save(conn, grown(signal, reports, &levels)).await
}

/// Writes every column of `signal` to its row.
pub async fn save(
    conn: &impl ConnectionTrait,
    signal: signal::Model,
) -> Result<signal::Model, DbErr> {
    let id = signal.id;
    let mut active = signal::ActiveModel::from(signal).reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(id);
    active.update(conn).await
}

/// `signal` with `reports` added to its aggregates (count, districts, importance, level,
/// first and last seen); `levels` are the alert levels of those reports.
pub fn grown(
    signal: signal::Model,
    reports: &[&classification::Model],
    levels: &[String],
) -> signal::Model {
    let mut districts: Vec<String> =
        serde_json::from_value(signal.districts.clone()).unwrap_or_default();
    districts.extend(
        reports
            .iter()
            .flat_map(|r| super::classifications::districts(r)),
    );
    districts.sort();
    districts.dedup();
    let important = signal.important || reports.iter().any(|r| r.important);
    let level = signal
        .level
        .iter()
        .chain(levels)
        .filter_map(|l| RiskLevel::parse(l))
        .max()
        .or(important.then_some(RiskLevel::High));
    let received = reports.iter().map(|r| r.received_at);
    let first_seen = received.clone().fold(signal.first_seen, DateTime::min);
    let last_seen = received.fold(signal.last_seen, DateTime::max);
    let added = i32::try_from(reports.len()).unwrap_or(i32::MAX);
    signal::Model {
        report_count: signal.report_count.saturating_add(added),
        district_index: districts::index(&districts),
        districts: serde_json::json!(districts),
        important,
        level: level.map(|l| l.as_str().to_owned()),
        first_seen,
        last_seen,
        updated_at: Utc::now(),
        ..signal
    }
}

/// Brings a signal's count, districts, first and last seen, importance and level in line
/// with its reports, and returns it.
pub async fn recompute(
    conn: &impl ConnectionTrait,
    signal: signal::Model,
) -> Result<signal::Model, DbErr> {
    let ids = report_ids(conn, signal.id).await?;
    let reports = classification::Entity::find()
        .filter(classification::Column::ReportId.is_in(ids.clone()))
        .all(conn)
        .await?;
    let levels: Vec<String> = alert::Entity::find()
        .select_only()
        .column(alert::Column::Level)
        .filter(alert::Column::ReportId.is_in(ids.clone()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut districts: Vec<String> = reports
        .iter()
        .flat_map(super::classifications::districts)
        .collect();
    districts.sort();
    districts.dedup();
    let important = reports.iter().any(|r| r.important);
    let level = levels
        .iter()
        .filter_map(|l| RiskLevel::parse(l))
        .max()
        .or(important.then_some(RiskLevel::High));
    let seen = |pick: fn(DateTime<Utc>, DateTime<Utc>) -> DateTime<Utc>, default| {
        reports
            .iter()
            .map(|r| r.received_at)
            .reduce(pick)
            .unwrap_or(default)
    };
    let first_seen = seen(DateTime::min, signal.first_seen);
    let last_seen = seen(DateTime::max, signal.last_seen);
    let mut active: signal::ActiveModel = signal.into();
    active.report_count = Set(i32::try_from(ids.len()).unwrap_or(i32::MAX));
    active.district_index = Set(districts::index(&districts));
    active.districts = Set(serde_json::json!(districts));
    active.important = Set(important);
    active.level = Set(level.map(|l| l.as_str().to_owned()));
    active.first_seen = Set(first_seen);
    active.last_seen = Set(last_seen);
    active.updated_at = Set(Utc::now());
    active.update(conn).await
}

/// Marks a signal escalated to assessment and audits it; the caller stages the event.
/// `by` is `None` when triage escalates by itself.
pub async fn mark_escalated(
    conn: &impl ConnectionTrait,
    signal: signal::Model,
    by: Option<&str>,
    reason: &str,
    level: Option<RiskLevel>,
) -> Result<(signal::Model, SignalEscalated), DbErr> {
    let mut active: signal::ActiveModel = signal.into();
    active.status = Set("escalated".to_owned());
    active.updated_at = Set(Utc::now());
    let signal = active.update(conn).await?;
    let detail = serde_json::json!({"level": level.map(RiskLevel::as_str)});
    audit(conn, signal.id, "escalated", by, Some(reason), detail).await?;
    let event = SignalEscalated {
        signal: snapshot(conn, &signal).await?,
        level: level.or_else(|| signal.level.as_deref().and_then(RiskLevel::parse)),
        by: by.map(str::to_owned),
        reason: reason.to_owned(),
        escalated_at: Utc::now(),
    };
    Ok((signal, event))
}

/// Records what happened to a signal, by whom and why.
pub async fn audit(
    conn: &impl ConnectionTrait,
    signal_id: Uuid,
    action: &str,
    actor: Option<&str>,
    reason: Option<&str>,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    let entry = audit_entry(signal_id, action, actor, reason, detail);
    insert_audits(conn, vec![entry]).await
}

/// One line of a signal's audit, to be written with [`insert_audits`].
pub fn audit_entry(
    signal_id: Uuid,
    action: &str,
    actor: Option<&str>,
    reason: Option<&str>,
    detail: serde_json::Value,
) -> signal_action::ActiveModel {
    signal_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        signal_id: Set(signal_id),
        action: Set(action.to_owned()),
        actor: Set(actor.map(str::to_owned)),
        reason: Set(reason.map(str::to_owned)),
        detail: Set(detail),
        at: Set(Utc::now()),
    }
}

/// Writes audit lines in a few multi-row statements, in order.
pub async fn insert_audits(
    conn: &impl ConnectionTrait,
    entries: Vec<signal_action::ActiveModel>,
) -> Result<(), DbErr> {
    /// Rows per statement: seven columns each, under both databases' parameter limits.
    const CHUNK: usize = 500;
    for chunk in entries.chunks(CHUNK) {
        signal_action::Entity::insert_many(chunk.to_vec())
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A signal's audit, oldest first.
pub async fn history(
    conn: &impl ConnectionTrait,
    signal_id: Uuid,
) -> Result<Vec<signal_action::Model>, DbErr> {
    signal_action::Entity::find()
        .filter(signal_action::Column::SignalId.eq(signal_id))
        .order_by_asc(signal_action::Column::Id)
        .all(conn)
        .await
}

/// One signal.
pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<signal::Model>, DbErr> {
    signal::Entity::find_by_id(id).one(conn).await
}

/// Filters of the regulator's queue.
#[derive(Debug, Default, Clone)]
pub struct SignalFilter {
    /// A district bureau's districts; `None` for the city bureau.
    pub visible: Option<Vec<String>>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub district: Option<String>,
    pub origin: Option<String>,
    pub important: Option<bool>,
    /// Last seen at or after.
    pub from: Option<DateTime<Utc>>,
    /// Last seen before.
    pub to: Option<DateTime<Utc>>,
}

/// The queue, newest signal first, `limit + 1` rows after the cursor.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &SignalFilter,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<signal::Model>, DbErr> {
    let involves = |code: &str| signal::Column::DistrictIndex.like(format!("%,{code},%"));
    let mut query = signal::Entity::find().order_by_desc(signal::Column::Id);
    if let Some(visible) = &filter.visible {
        let any = visible
            .iter()
            .fold(Condition::any(), |any, code| any.add(involves(code)));
        query = query.filter(any);
    }
    if let Some(district) = &filter.district {
        query = query.filter(involves(district));
    }
    if let Some(status) = &filter.status {
        query = query.filter(signal::Column::Status.eq(status.as_str()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(signal::Column::Category.eq(category.as_str()));
    }
    if let Some(origin) = &filter.origin {
        query = query.filter(signal::Column::Origin.eq(origin.as_str()));
    }
    if let Some(important) = filter.important {
        query = query.filter(signal::Column::Important.eq(important));
    }
    if let Some(from) = filter.from {
        query = query.filter(signal::Column::LastSeen.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(signal::Column::LastSeen.lt(to));
    }
    if let Some(before) = before {
        query = query.filter(signal::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(conn).await
}
