//! The public's feedback (意见和建议), kept for regulators.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseConnection, DbErr, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::entities::feedback;

/// A message as it is stored.
pub struct NewFeedback {
    pub message: String,
    pub contact: Option<String>,
    pub language: String,
    pub fingerprint: String,
    pub client: String,
}

/// Stores `new` unless the same message arrived since `since`; whether it was stored.
pub async fn insert_unless_repeated(
    db: &DatabaseConnection,
    new: NewFeedback,
    since: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let repeats = feedback::Entity::find()
        .filter(feedback::Column::Fingerprint.eq(new.fingerprint.as_str()))
        .filter(feedback::Column::CreatedAt.gte(since))
        .count(db)
        .await?;
    if repeats > 0 {
        return Ok(false);
    }
    feedback::Entity::insert(feedback::ActiveModel {
        id: Set(Uuid::now_v7()),
        message: Set(new.message),
        contact: Set(new.contact),
        language: Set(new.language),
        fingerprint: Set(new.fingerprint),
        client: Set(new.client),
        created_at: Set(at),
    })
    .exec(db)
    .await?;
    Ok(true)
}

/// Feedback, newest first (ids are time-ordered), up to `limit + 1` of them.
pub async fn list(
    db: &DatabaseConnection,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<feedback::Model>, DbErr> {
    let mut query = feedback::Entity::find().order_by_desc(feedback::Column::Id);
    if let Some(before) = before {
        query = query.filter(feedback::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(db).await
}
