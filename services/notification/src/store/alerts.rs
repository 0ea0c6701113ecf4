//! Alerts, their acknowledgements and escalations.

use chrono::{DateTime, Utc};
use prism_contracts::events::triage::AlertRaised;
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait as _, Condition, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::entities::alert;
use crate::domain::district;

/// Records an alert once; `false` if it was recorded already (announced again).
pub async fn record<C: ConnectionTrait>(conn: &C, alert: &AlertRaised) -> Result<bool, DbErr> {
    let row = alert::ActiveModel {
        id: Set(alert.alert_id),
        report_id: Set(alert.report_id),
        level: Set(alert.level.as_str().to_owned()),
        category: Set(alert.category.clone()),
        district_index: Set(district::index(&alert.districts)),
        data: Set(serde_json::to_value(alert).unwrap_or_default()),
        raised_at: Set(alert.raised_at),
        recorded_at: Set(Utc::now()),
        acknowledged_at: Set(None),
        acknowledged_by: Set(None),
        escalated_at: Set(None),
        escalated_to: Set(None),
    };
    let inserted = alert::Entity::insert(row)
        .on_conflict(
            OnConflict::column(alert::Column::Id)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}

/// One alert.
pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<alert::Model>, DbErr> {
    alert::Entity::find_by_id(id).one(conn).await
}

/// Newest first, optionally only those involving one of `districts`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    districts: Option<&[String]>,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<alert::Model>, DbErr> {
    let mut query = alert::Entity::find().order_by_desc(alert::Column::Id);
    if let Some(districts) = districts {
        let any = districts.iter().fold(Condition::any(), |any, code| {
            any.add(alert::Column::DistrictIndex.like(format!("%,{code},%")))
        });
        query = query.filter(any);
    }
    if let Some(before) = before {
        query = query.filter(alert::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(conn).await
}

/// Acknowledges an alert; the first acknowledgement stands (`false` for later ones).
pub async fn acknowledge<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    by: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = alert::Entity::update_many()
        .col_expr(alert::Column::AcknowledgedAt, Expr::value(at))
        .col_expr(alert::Column::AcknowledgedBy, Expr::value(by))
        .filter(alert::Column::Id.eq(id))
        .filter(alert::Column::AcknowledgedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Alerts recorded before `cutoff` that nobody acknowledged and that have not escalated.
pub async fn unacknowledged_before<C: ConnectionTrait>(
    conn: &C,
    cutoff: DateTime<Utc>,
) -> Result<Vec<alert::Model>, DbErr> {
    alert::Entity::find()
        .filter(alert::Column::AcknowledgedAt.is_null())
        .filter(alert::Column::EscalatedAt.is_null())
        .filter(alert::Column::RecordedAt.lt(cutoff))
        .order_by_asc(alert::Column::Id)
        .limit(100)
        .all(conn)
        .await
}

/// Marks an alert escalated to `contacts`; `false` if it was acknowledged or escalated
/// meanwhile (by another instance), so it escalates once.
pub async fn escalate<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    contacts: &[String],
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = alert::Entity::update_many()
        .col_expr(alert::Column::EscalatedAt, Expr::value(at))
        .col_expr(
            alert::Column::EscalatedTo,
            Expr::value(serde_json::json!(contacts)),
        )
        .filter(alert::Column::Id.eq(id))
        .filter(alert::Column::AcknowledgedAt.is_null())
        .filter(alert::Column::EscalatedAt.is_null())
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}
