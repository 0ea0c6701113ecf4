//! Every published version of a warning, kept as the public saw it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _,
};
use uuid::Uuid;

use super::{
    entities::{version, warning},
    list_of,
};

/// What the public saw of a version.
pub fn snapshot(row: &warning::Model) -> serde_json::Value {
    serde_json::json!({
        "type": row.warning_type,
        "title_zh": row.title_zh, "summary_zh": row.summary_zh, "advice_zh": row.advice_zh,
        "title_en": row.title_en, "summary_en": row.summary_en, "advice_en": row.advice_en,
        "level": row.level, "category": row.category,
        "districts": list_of::<String>(&row.districts),
        "effective_at": row.effective_at, "expires_at": row.expires_at,
    })
}

/// Keeps `row`'s current version.
pub async fn keep<C: ConnectionTrait>(
    conn: &C,
    row: &warning::Model,
    reason: Option<&str>,
    approver: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    version::Entity::insert(version::ActiveModel {
        id: Set(Uuid::now_v7()),
        warning_id: Set(row.id),
        version: Set(row.version),
        snapshot: Set(snapshot(row)),
        reason: Set(reason.map(str::to_owned)),
        approved_by: Set(approver.to_owned()),
        published_at: Set(at),
    })
    .exec(conn)
    .await
    .map(drop)
}

/// A warning's versions, oldest first.
pub async fn of<C: ConnectionTrait>(
    conn: &C,
    warning_id: Uuid,
) -> Result<Vec<version::Model>, DbErr> {
    version::Entity::find()
        .filter(version::Column::WarningId.eq(warning_id))
        .order_by_asc(version::Column::Version)
        .all(conn)
        .await
}
