//! Routine submissions per period, and the overdue notices raised for missed due dates.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use prism_contracts::{events::intake::StationReportOverdue, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseConnection, DbErr, EntityTrait as _,
    QueryFilter as _, QuerySelect as _, SqlErr, TransactionTrait as _,
};
use uuid::Uuid;

use super::{
    entities::{overdue_notice, report, station},
    reports::strings,
};
use crate::domain::{compliance::Submissions, period};

/// A station's routine reports by period, for periods from `first` to `last`.
pub async fn submissions(
    db: &DatabaseConnection,
    station_id: Uuid,
    first: &str,
    last: &str,
) -> Result<HashMap<String, Submissions>, DbErr> {
    let rows: Vec<(String, DateTime<Utc>)> = report::Entity::find()
        .select_only()
        .column(report::Column::Period)
        .column(report::Column::ReceivedAt)
        .filter(report::Column::StationId.eq(station_id))
        .filter(report::Column::Kind.eq("routine"))
        .filter(report::Column::Period.gte(first))
        .filter(report::Column::Period.lte(last))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_period: HashMap<String, Submissions> = HashMap::new();
    for (period, at) in rows {
        by_period
            .entry(period)
            .and_modify(|s| {
                s.first_at = s.first_at.min(at);
                s.count += 1;
            })
            .or_insert(Submissions {
                first_at: at,
                count: 1,
            });
    }
    Ok(by_period)
}

/// How many past periods a sweep looks back at, so that an outage of a few weeks is caught
/// up on without ever scanning all history.
const LOOK_BACK: usize = 3;

/// Raises `StationReportOverdue` for every station that missed one of the last due dates
/// before `now`, once per station and period: the notice row's key decides, in the same
/// transaction as the event, so concurrent instances and restarts cannot raise it twice.
/// Returns how many were raised.
pub async fn raise_overdue(
    db: &DatabaseConnection,
    outbox: &Outbox,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let mut periods = Vec::new();
    let mut current = period::previous(&period::routine_period_of(now));
    while let Some(p) = current {
        if periods.len() == LOOK_BACK {
            break;
        }
        current = period::previous(&p);
        periods.push(p);
    }
    let submitted: HashSet<(Uuid, String)> = report::Entity::find()
        .select_only()
        .column(report::Column::StationId)
        .column(report::Column::Period)
        .filter(report::Column::Kind.eq("routine"))
        .filter(report::Column::Period.is_in(periods.clone()))
        .distinct()
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let noticed: HashSet<(Uuid, String)> = overdue_notice::Entity::find()
        .filter(overdue_notice::Column::Period.is_in(periods.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.station_id, n.period))
        .collect();
    let mut raised = 0;
    for station in station::Entity::find().all(db).await? {
        for p in &periods {
            let (Some(due_date), Some(deadline)) = (period::due_date(p), period::deadline(p))
            else {
                continue;
            };
            let key = (station.id, p.clone());
            // A station registered after a due date owed nothing for that period.
            if deadline <= station.created_at || submitted.contains(&key) || noticed.contains(&key)
            {
                continue;
            }
            let event = StationReportOverdue {
                station_id: station.id,
                station_code: station.code.clone(),
                station_name: station.name.clone(),
                districts: strings(&station.districts),
                period: p.clone(),
                due_date: due_date.to_string(),
                detected_at: now,
            };
            if raise_once(db, outbox, event).await? {
                raised += 1;
            }
        }
    }
    Ok(raised)
}

async fn raise_once(
    db: &DatabaseConnection,
    outbox: &Outbox,
    event: StationReportOverdue,
) -> Result<bool, DbErr> {
    let envelope = Envelope::new("intake", event);
    let txn = db.begin().await?;
    // The notice goes first: it is the write that takes SQLite's lock, and the primary key
    // that stops a second instance racing for the same station and period.
    let notice = overdue_notice::ActiveModel {
        station_id: Set(envelope.data.station_id),
        period: Set(envelope.data.period.clone()),
        due_date: Set(envelope.data.due_date.clone()),
        event_id: Set(envelope.id),
        detected_at: Set(envelope.data.detected_at),
    };
    if let Err(error) = overdue_notice::Entity::insert(notice).exec(&txn).await {
        txn.rollback().await?;
        return match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Ok(false),
            _ => Err(error),
        };
    }
    outbox.stage(&txn, &envelope).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(true)
}
