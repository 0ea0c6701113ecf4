//! Stations and API keys.

use chrono::Utc;
use prism_platform::auth::ApiKey;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, SqlErr,
};
use uuid::Uuid;

use super::entities::{station, station_key};
use crate::domain::station::NewStation;

/// Why a station could not be registered.
pub enum RegisterError {
    CodeTaken,
    Db(DbErr),
}

/// Registers a station.
pub async fn register(
    db: &DatabaseConnection,
    new: &NewStation,
) -> Result<station::Model, RegisterError> {
    let row = station::ActiveModel {
        id: Set(Uuid::now_v7()),
        code: Set(new.code.clone()),
        name: Set(new.name.trim().to_owned()),
        kind: Set(new.kind.clone()),
        districts: Set(serde_json::json!(new.districts)),
        contact_name: Set(new.contact.as_ref().map(|c| c.name.clone())),
        contact_phone: Set(new.contact.as_ref().map(|c| c.phone.clone())),
        created_at: Set(Utc::now()),
    };
    station::Entity::insert(row)
        .exec_with_returning(db)
        .await
        .map_err(|error| match error.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => RegisterError::CodeTaken,
            _ => RegisterError::Db(error),
        })
}

/// One station.
pub async fn find(db: &DatabaseConnection, id: Uuid) -> Result<Option<station::Model>, DbErr> {
    station::Entity::find_by_id(id).one(db).await
}

/// A page of stations by code.
pub async fn list(
    db: &DatabaseConnection,
    after: Option<String>,
    limit: u64,
) -> Result<Vec<station::Model>, DbErr> {
    let mut query = station::Entity::find().order_by_asc(station::Column::Code);
    if let Some(after) = after {
        query = query.filter(station::Column::Code.gt(after));
    }
    query.limit(limit + 1).all(db).await
}

/// Issues a key for a station; the returned secret is never stored.
pub async fn issue_key(
    db: &DatabaseConnection,
    station_id: Uuid,
) -> Result<(ApiKey, station_key::Model), DbErr> {
    let key = ApiKey::generate();
    let row = station_key::ActiveModel {
        id: Set(key.key_id.clone()),
        station_id: Set(station_id),
        hash: Set(key.hash()),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
    };
    let stored = station_key::Entity::insert(row)
        .exec_with_returning(db)
        .await?;
    Ok((key, stored))
}

/// Revokes a key at once; `false` if the station has no such key.
pub async fn revoke_key(
    db: &DatabaseConnection,
    station_id: Uuid,
    key_id: &str,
) -> Result<bool, DbErr> {
    let result = station_key::Entity::update_many()
        .col_expr(station_key::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(station_key::Column::Id.eq(key_id))
        .filter(station_key::Column::StationId.eq(station_id))
        .filter(station_key::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The station of the key with this hash, if the key is valid and not revoked. Requests
/// look keys up through [`super::key_cache::KeyCache`].
pub async fn by_hash(db: &DatabaseConnection, hash: &str) -> Result<Option<station::Model>, DbErr> {
    let Some(key) = station_key::Entity::find()
        .filter(station_key::Column::Hash.eq(hash))
        .filter(station_key::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    find(db, key.station_id).await
}
