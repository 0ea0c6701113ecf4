//! Opening cases from triage's events, inside the consumer's transaction. An important
//! report gives both an alert and (triage escalates it by itself) a signal; they become one
//! case, whichever arrives first: each report is claimed by the first case that has it
//! (`case_reports`, primary key on the report), and the later event joins that case.

use chrono::Utc;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
};
use uuid::Uuid;

use super::{
    cases::Opening,
    district_index,
    entities::{case, case_report},
    list_of,
};

/// What an alert or an escalated signal did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A new case: announce it.
    Opened(Box<case::Model>),
    /// It joined the case that already had its report(s).
    Joined(Uuid),
    /// Seen before (delivered twice, or re-announced under a new event id).
    AlreadyThere,
}

/// Claims each of `reports` for `case_id` unless a case has it; returns those claimed.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    case_id: Uuid,
    reports: &[Uuid],
) -> Result<Vec<Uuid>, DbErr> {
    let mut claimed = Vec::with_capacity(reports.len());
    for report_id in reports {
        // `DO NOTHING` on the primary key: on PostgreSQL a concurrent claimant of the same
        // report waits for the first to commit and then finds it taken.
        let inserted = case_report::Entity::insert(case_report::ActiveModel {
            report_id: Set(*report_id),
            case_id: Set(case_id),
        })
        .on_conflict(
            OnConflict::column(case_report::Column::ReportId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
        if inserted == 1 {
            claimed.push(*report_id);
        }
    }
    Ok(claimed)
}

/// The cases that own any of `reports`, other than `except`.
async fn owners<C: ConnectionTrait>(
    conn: &C,
    reports: &[Uuid],
    except: Uuid,
) -> Result<Vec<case::Model>, DbErr> {
    let claims = case_report::Entity::find()
        .filter(case_report::Column::ReportId.is_in(reports.iter().copied()))
        .filter(case_report::Column::CaseId.ne(except))
        .all(conn)
        .await?;
    let mut ids: Vec<Uuid> = claims.into_iter().map(|c| c.case_id).collect();
    ids.sort();
    ids.dedup();
    case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// Opens (or joins) the case of an alert.
pub async fn for_alert<C: ConnectionTrait>(conn: &C, opening: Opening) -> Result<Outcome, DbErr> {
    let alert_id = opening.alert_id;
    let row = opening.into_row(Utc::now());
    let reports: Vec<Uuid> = list_of(&row.report_ids);
    let claimed = claim(conn, row.id, &reports).await?;
    if claimed.len() < reports.len() {
        let owners = owners(conn, &reports, row.id).await?;
        if owners
            .iter()
            .any(|c| c.alert_id.is_some() && c.alert_id == alert_id)
        {
            undo_claims(conn, row.id).await?;
            return Ok(Outcome::AlreadyThere);
        }
        // The report's signal got there first: the alert joins its case, bringing its
        // deadline (the earlier one counts), initial level, districts and station.
        if let Some(owner) = owners.into_iter().find(|c| c.alert_id.is_none()) {
            undo_claims(conn, row.id).await?;
            let deadline = match (owner.deadline, row.deadline) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let districts = union(&list_of(&owner.districts), &list_of(&row.districts));
            case::Entity::update_many()
                .col_expr(case::Column::AlertId, Expr::value(alert_id))
                .col_expr(
                    case::Column::Districts,
                    Expr::value(serde_json::json!(districts)),
                )
                .col_expr(
                    case::Column::DistrictIndex,
                    Expr::value(district_index(&districts)),
                )
                .col_expr(case::Column::Deadline, Expr::value(deadline))
                .col_expr(
                    case::Column::InitialLevel,
                    Expr::value(owner.initial_level.clone().or(row.initial_level)),
                )
                .col_expr(
                    case::Column::Stations,
                    Expr::value(merge(owner.stations.as_ref(), row.stations.as_ref())),
                )
                .filter(case::Column::Id.eq(owner.id))
                .exec(conn)
                .await?;
            return Ok(Outcome::Joined(owner.id));
        }
    }
    insert_or_forget(conn, row, case::Column::AlertId).await
}

/// Opens (or joins) the case of an escalated signal.
pub async fn for_signal<C: ConnectionTrait>(conn: &C, opening: Opening) -> Result<Outcome, DbErr> {
    let signal_id = opening.signal_id;
    let existing = case::Entity::find()
        .filter(case::Column::SignalId.eq(signal_id))
        .one(conn)
        .await?;
    if existing.is_some() {
        return Ok(Outcome::AlreadyThere);
    }
    let row = opening.into_row(Utc::now());
    let reports: Vec<Uuid> = list_of(&row.report_ids);
    let claimed = claim(conn, row.id, &reports).await?;
    if claimed.len() < reports.len() {
        // An alert (or a regulator) opened a case for one of the signal's reports: the
        // signal joins it, with all its reports and districts.
        let owners = owners(conn, &reports, row.id).await?;
        if let Some(owner) = owners.into_iter().find(|c| c.signal_id.is_none()) {
            case_report::Entity::update_many()
                .col_expr(case_report::Column::CaseId, Expr::value(owner.id))
                .filter(case_report::Column::CaseId.eq(row.id))
                .exec(conn)
                .await?;
            let report_ids = union(&list_of(&owner.report_ids), &reports);
            let districts = union(&list_of(&owner.districts), &list_of(&row.districts));
            case::Entity::update_many()
                .col_expr(case::Column::SignalId, Expr::value(signal_id))
                .col_expr(
                    case::Column::ReportIds,
                    Expr::value(serde_json::json!(report_ids)),
                )
                .col_expr(
                    case::Column::Districts,
                    Expr::value(serde_json::json!(districts)),
                )
                .col_expr(
                    case::Column::DistrictIndex,
                    Expr::value(district_index(&districts)),
                )
                .filter(case::Column::Id.eq(owner.id))
                .exec(conn)
                .await?;
            return Ok(Outcome::Joined(owner.id));
        }
    }
    insert_or_forget(conn, row, case::Column::SignalId).await
}

/// Inserts the case unless its alert or signal (`unique`) already has one, in which case
/// its claims are given back.
async fn insert_or_forget<C: ConnectionTrait>(
    conn: &C,
    row: case::Model,
    unique: case::Column,
) -> Result<Outcome, DbErr> {
    let inserted = case::Entity::insert(case::ActiveModel::from(row.clone()))
        .on_conflict(OnConflict::column(unique).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    if inserted == 1 {
        Ok(Outcome::Opened(Box::new(row)))
    } else {
        undo_claims(conn, row.id).await?;
        Ok(Outcome::AlreadyThere)
    }
}

async fn undo_claims<C: ConnectionTrait>(conn: &C, case_id: Uuid) -> Result<(), DbErr> {
    case_report::Entity::delete_many()
        .filter(case_report::Column::CaseId.eq(case_id))
        .exec(conn)
        .await
        .map(drop)
}

fn union<T: Clone + PartialEq>(first: &[T], second: &[T]) -> Vec<T> {
    let mut all = first.to_vec();
    for item in second {
        if !all.contains(item) {
            all.push(item.clone());
        }
    }
    all
}

fn merge(a: Option<&serde_json::Value>, b: Option<&serde_json::Value>) -> serde_json::Value {
    let a: Vec<String> = a.map(list_of).unwrap_or_default();
    let b: Vec<String> = b.map(list_of).unwrap_or_default();
    serde_json::json!(union(&a, &b))
}
