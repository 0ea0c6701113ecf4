//! The inbox: ids of events a consumer has applied, written in the same transaction as the
//! consumer's own changes.

use chrono::Utc;
use prism_contracts::RawEnvelope;
use std::collections::HashSet;

use sea_orm::{
    entity::prelude::*,
    sea_query::{OnConflict, Query},
    DatabaseConnection, DatabaseTransaction, TransactionTrait,
};

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
/// commit together, so an event is applied once however often it is delivered. A batch of
/// one (see [`apply_all`]), inside the caller's span.
pub async fn apply_once<A: Apply>(
    db: &DatabaseConnection,
    consumer: &str,
    event: RawEnvelope,
    handler: &A,
) -> Result<Outcome, ApplyError> {
    let outcomes = apply_all(
        db,
        consumer,
        vec![(event, tracing::Span::current())],
        handler,
    )
    .await?;
    Ok(outcomes.first().copied().unwrap_or(Outcome::AlreadyApplied))
}

/// Applies `events` in one transaction, each unless `consumer` already has, and returns
/// their outcomes in order. Events that arrived together share one commit and one inbox
/// statement, so a backlog costs a few writes per batch instead of several per event. Any
/// error rolls back the whole batch: the caller then applies the events one by one to learn
/// which one failed.
pub async fn apply_all<A: Apply>(
    db: &DatabaseConnection,
    consumer: &str,
    events: Vec<(RawEnvelope, tracing::Span)>,
    handler: &A,
) -> Result<Vec<Outcome>, ApplyError> {
    let txn = db.begin().await?;
    let result = async {
        let mut new = record_new(&txn, consumer, &events).await?;
        let mut outcomes = Vec::with_capacity(events.len());
        let mut fresh = Vec::with_capacity(events.len());
        for (event, span) in events {
            // `remove`: a second copy of the same event in this batch is a repeat.
            if new.remove(&event.id) {
                outcomes.push(Outcome::Applied);
                fresh.push((event, span));
            } else {
                outcomes.push(Outcome::AlreadyApplied);
            }
        }
        if !fresh.is_empty() {
            handler.apply_many(&txn, fresh).await?;
        }
        Ok::<_, ApplyError>(outcomes)
    }
    .await;
    match result {
        Ok(outcomes) => {
            txn.commit().await?;
            Ok(outcomes)
        }
        Err(error) => {
            txn.rollback().await?;
            Err(error)
        }
    }
}

/// Writes the inbox rows of `events` in one statement and returns the ids that were new.
/// A repeat inserts nothing rather than failing, since PostgreSQL would abort the whole
/// transaction on a failed statement; the same event twice in one batch counts once.
async fn record_new(
    txn: &DatabaseTransaction,
    consumer: &str,
    events: &[(RawEnvelope, tracing::Span)],
) -> Result<HashSet<Uuid>, DbErr> {
    let now = Utc::now();
    let mut insert = Query::insert();
    insert
        .into_table(Entity)
        .columns([
            Column::Consumer,
            Column::EventId,
            Column::EventType,
            Column::AppliedAt,
        ])
        .on_conflict(
            OnConflict::columns([Column::Consumer, Column::EventId])
                .do_nothing()
                .to_owned(),
        )
        .returning_col(Column::EventId);
    for (event, _) in events {
        insert.values_panic([
            consumer.into(),
            event.id.into(),
            event.event_type.as_str().into(),
            now.into(),
        ]);
    }
    let backend = txn.get_database_backend();
    let mut new = HashSet::with_capacity(events.len());
    for row in txn.query_all(backend.build(&insert)).await? {
        new.insert(row.try_get::<Uuid>("", Column::EventId.as_str())?);
    }
    Ok(new)
}
