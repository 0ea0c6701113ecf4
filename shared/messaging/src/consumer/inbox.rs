//! The inbox: ids of events a consumer has applied, written in the same transaction as the
//! consumer's own changes.

use chrono::Utc;
use prism_contracts::RawEnvelope;
use sea_orm::{entity::prelude::*, ActiveValue::Set, DatabaseConnection, SqlErr, TransactionTrait};

use super::{Apply, ApplyError, Outcome};

/// One applied event.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub consumer: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: Uuid,
    pub event_type: String,
    pub applied_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Applies `event` unless `consumer` already has: the inbox row and the handler's writes
/// commit together, so an event is applied once however often it is delivered.
pub async fn apply_once<A: Apply>(
    db: &DatabaseConnection,
    consumer: &str,
    event: RawEnvelope,
    handler: &A,
) -> Result<Outcome, ApplyError> {
    let txn = db.begin().await?;
    // The inbox row is written first, not looked up first: on SQLite a transaction that
    // starts with a write waits its turn for the write lock, while one that reads first
    // cannot upgrade when another writer got in meanwhile. A repeat fails on the key.
    let row = ActiveModel {
        consumer: Set(consumer.to_owned()),
        event_id: Set(event.id),
        event_type: Set(event.event_type.clone()),
        applied_at: Set(Utc::now()),
    };
    if let Err(error) = Entity::insert(row).exec(&txn).await {
        if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
            txn.rollback().await?;
            return Ok(Outcome::AlreadyApplied);
        }
        return Err(error.into());
    }
    handler.apply(&txn, event).await?;
    match txn.commit().await {
        Ok(()) => Ok(Outcome::Applied),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Ok(Outcome::AlreadyApplied)
        }
        Err(error) => Err(error.into()),
    }
}
