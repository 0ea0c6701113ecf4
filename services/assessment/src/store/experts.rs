//! The expert pool.

use chrono::{SubsecRound as _, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};

use super::{entities::expert, list_of};
use crate::domain::{expert::ValidExpert, panel::Candidate};

/// Adds an expert; a taken id is a unique-constraint violation.
pub async fn add(
    db: &DatabaseConnection,
    valid: ValidExpert,
    created_by: &str,
) -> Result<expert::Model, DbErr> {
    let row = expert::ActiveModel {
        id: Set(valid.id),
        name: Set(valid.name),
        specialties: Set(serde_json::json!(valid.specialties)),
        affiliations: Set(serde_json::json!(valid.affiliations)),
        active: Set(true),
        created_by: Set(created_by.to_owned()),
        created_at: Set(Utc::now().trunc_subsecs(6)),
    };
    expert::Entity::insert(row).exec_with_returning(db).await
}

/// By id; `after` is the last id of the previous page.
pub async fn list(
    db: &DatabaseConnection,
    after: Option<String>,
    limit: u64,
) -> Result<Vec<expert::Model>, DbErr> {
    let mut query = expert::Entity::find().order_by_asc(expert::Column::Id);
    if let Some(after) = after {
        query = query.filter(expert::Column::Id.gt(after));
    }
    query.limit(limit + 1).all(db).await
}

/// Every active expert, as the draw sees them.
pub async fn pool<C: ConnectionTrait>(conn: &C) -> Result<Vec<Candidate>, DbErr> {
    let rows = expert::Entity::find()
        .filter(expert::Column::Active.eq(true))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Candidate {
            specialties: list_of(&row.specialties),
            affiliations: list_of(&row.affiliations),
            id: row.id,
        })
        .collect())
}
