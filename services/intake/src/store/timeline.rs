//! The timeline projection: what downstream services announced about each report.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _,
    QueryFilter as _, QueryOrder as _,
};
use uuid::Uuid;

use super::entities::{report, timeline};

/// Records a step for a report and moves the report's status along with it.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    event_id: Uuid,
    report_id: Uuid,
    step: &str,
    at: DateTime<Utc>,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    // The id is derived from the event and report, so a step is recorded once per report.
    let id = Uuid::new_v5(&event_id, report_id.as_bytes());
    timeline::Entity::insert(timeline::ActiveModel {
        id: Set(id),
        report_id: Set(report_id),
        step: Set(step.to_owned()),
        at: Set(at),
        detail: Set(detail),
    })
    .exec(conn)
    .await?;
    if let Some(status) = status_after(step) {
        // Steps may arrive out of order across streams; a status only ever moves forward.
        let earlier: Vec<&str> = STATUSES
            .iter()
            .take_while(|s| **s != status)
            .copied()
            .collect();
        report::Entity::update_many()
            .col_expr(report::Column::Status, Expr::value(status))
            .filter(report::Column::Id.eq(report_id))
            .filter(report::Column::Status.is_in(earlier))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A report's statuses in the order they are reached.
pub const STATUSES: [&str; 7] = [
    "received",
    "classified",
    "alerted",
    "in_assessment",
    "decided",
    "warning_published",
    "closed",
];

/// The report status a step leads to; deliveries do not change it.
fn status_after(step: &str) -> Option<&'static str> {
    Some(match step {
        "classified" => "classified",
        "alerted" => "alerted",
        "case_opened" => "in_assessment",
        "decided" => "decided",
        "warning_published" => "warning_published",
        "closed" => "closed",
        _ => return None,
    })
}

/// A report's steps, oldest first.
pub async fn of<C: ConnectionTrait>(
    conn: &C,
    report_id: Uuid,
) -> Result<Vec<timeline::Model>, DbErr> {
    timeline::Entity::find()
        .filter(timeline::Column::ReportId.eq(report_id))
        .order_by_asc(timeline::Column::At)
        .all(conn)
        .await
}
