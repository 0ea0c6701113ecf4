//! The audit trail: every state change of a warning, written in the transaction that makes it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _,
};
use uuid::Uuid;

use super::entities::audit;

/// Records that `actor` did `action` to a warning.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    warning_id: Uuid,
    action: &str,
    actor: &str,
    at: DateTime<Utc>,
    detail: serde_json::Value,
) -> Result<(), DbErr> {
    audit::Entity::insert(audit::ActiveModel {
        id: Set(Uuid::now_v7()),
        warning_id: Set(warning_id),
        action: Set(action.to_owned()),
        actor: Set(actor.to_owned()),
        at: Set(at),
        detail: Set(detail),
    })
    .exec(conn)
    .await
    .map(drop)
}

/// A warning's trail, oldest first.
pub async fn of<C: ConnectionTrait>(
    conn: &C,
    warning_id: Uuid,
) -> Result<Vec<audit::Model>, DbErr> {
    audit::Entity::find()
        .filter(audit::Column::WarningId.eq(warning_id))
        .order_by_asc(audit::Column::At)
        .order_by_asc(audit::Column::Id)
        .all(conn)
        .await
}
