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

/// The most report ids an event carries: a burst can put tens of thousands of reports in
/// one signal, and a NATS message must stay well under its 1 MiB limit. `report_count` is
/// always the true count; the API lists every report.
pub const SNAPSHOT_REPORT_IDS: u64 = 1000;

/// The event form of a signal, with its latest [`SNAPSHOT_REPORT_IDS`] reports.
pub async fn snapshot(
    conn: &impl ConnectionTrait,
    signal: &signal::Model,
) -> Result<SignalSnapshot, DbErr> {
    let mut report_ids: Vec<Uuid> = signal_report::Entity::find()
        .select_only()
        .column(signal_report::Column::ReportId)
        .filter(signal_report::Column::SignalId.eq(signal.id))
        .order_by_desc(signal_report::Column::ReportId)
        .limit(SNAPSHOT_REPORT_IDS)
        .into_tuple()
        .all(conn)
        .await?;
    report_ids.reverse();
    Ok(SignalSnapshot {
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
    })
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
    for report_id in reports.iter().filter(|r| !present.contains(r)) {
        signal_report::ActiveModel {
            signal_id: Set(signal_id),
            report_id: Set(*report_id),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Adds one report to a signal and updates its aggregates from that report alone, so that
/// a signal of thousands grows at the cost of one.
pub async fn join(
    conn: &impl ConnectionTrait,
    signal: signal::Model,
    report: &classification::Model,
) -> Result<signal::Model, DbErr> {
    signal_report::ActiveModel {
        signal_id: Set(signal.id),
        report_id: Set(report.report_id),
    }
    .insert(conn)
    .await?;
    let level: Option<String> = alert::Entity::find()
        .select_only()
        .column(alert::Column::Level)
        .filter(alert::Column::ReportId.eq(report.report_id))
        .into_tuple()
        .one(conn)
        .await?;
    let mut districts: Vec<String> =
        serde_json::from_value(signal.districts.clone()).unwrap_or_default();
    districts.extend(super::classifications::districts(report));
    districts.sort();
    districts.dedup();
    let important = signal.important || report.important;
    let level = [signal.level.as_deref(), level.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(RiskLevel::parse)
        .max()
        .or(important.then_some(RiskLevel::High));
    let mut active: signal::ActiveModel = signal.clone().into();
    active.report_count = Set(signal.report_count.saturating_add(1));
    active.district_index = Set(districts::index(&districts));
    active.districts = Set(serde_json::json!(districts));
    active.important = Set(important);
    active.level = Set(level.map(|l| l.as_str().to_owned()));
    active.first_seen = Set(signal.first_seen.min(report.received_at));
    active.last_seen = Set(signal.last_seen.max(report.received_at));
    active.updated_at = Set(Utc::now());
    active.update(conn).await
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
    signal_action::ActiveModel {
        id: Set(Uuid::now_v7()),
        signal_id: Set(signal_id),
        action: Set(action.to_owned()),
        actor: Set(actor.map(str::to_owned)),
        reason: Set(reason.map(str::to_owned)),
        detail: Set(detail),
        at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .map(drop)
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
