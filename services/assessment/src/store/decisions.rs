//! Decisions: recording a new version with its `DecisionRecorded` event in one transaction,
//! and reading a case's versions.

use chrono::Utc;
use prism_contracts::{events::assessment::DecisionRecorded, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait as _, DatabaseConnection, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::{
    entities::{case, decision},
    list_of,
};
use crate::{
    domain::{case::Status, decision::ValidDecision},
    NAME,
};

/// Appends the next version of `case`'s decision, marks the case decided and stages
/// `DecisionRecorded`, all in one transaction.
pub async fn record(
    db: &DatabaseConnection,
    outbox: &Outbox,
    case: &case::Model,
    valid: ValidDecision,
    decided_by: &str,
) -> Result<decision::Model, DbErr> {
    let txn = db.begin().await?;
    // The case row is written first: on PostgreSQL its row lock makes concurrent decisions
    // on one case take turns, so each reads the version the other wrote; on SQLite a
    // transaction that starts by writing waits for the lock instead of failing to upgrade.
    // The unique (case_id, version) index is the last line of defence.
    case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(Status::Decided.as_str()))
        .filter(case::Column::Id.eq(case.id))
        .exec(&txn)
        .await?;
    let latest: Option<Option<i32>> = decision::Entity::find()
        .select_only()
        .column_as(decision::Column::Version.max(), "latest")
        .filter(decision::Column::CaseId.eq(case.id))
        .into_tuple()
        .one(&txn)
        .await?;
    let version = latest.flatten().unwrap_or(0) + 1;
    let row = decision::ActiveModel {
        id: Set(Uuid::now_v7()),
        case_id: Set(case.id),
        version: Set(version),
        risk_level: Set(valid.risk_level.as_str().to_owned()),
        computed_level: Set(valid.computed_level.map(|l| l.as_str().to_owned())),
        override_reason: Set(valid.override_reason),
        measures: Set(serde_json::json!(valid.measures)),
        responsible: Set(valid.responsible),
        act_by: Set(valid.act_by),
        warning: Set(valid.warning.as_ref().map(|w| serde_json::json!(w))),
        decided_by: Set(decided_by.to_owned()),
        decided_at: Set(Utc::now()),
    };
    let stored = decision::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    let event = DecisionRecorded {
        case_id: case.id,
        decision_id: stored.id,
        version: u32::try_from(stored.version).unwrap_or(0),
        risk_level: valid.risk_level,
        measures: valid.measures,
        product: case.product.clone(),
        category: case.category.clone(),
        districts: list_of(&case.districts),
        report_ids: list_of(&case.report_ids),
        warning: valid.warning,
        decided_by: stored.decided_by.clone(),
        decided_at: stored.decided_at,
    };
    let mut envelope = Envelope::new(NAME, event);
    // The decision continues the chain of the report (or hand-opened case) it is about.
    if let Some(correlation_id) = case.correlation_id {
        envelope.correlation_id = correlation_id;
    }
    outbox.stage(&txn, &envelope).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(stored)
}

/// Every version of a case's decision, oldest first.
pub async fn of(db: &DatabaseConnection, case_id: Uuid) -> Result<Vec<decision::Model>, DbErr> {
    decision::Entity::find()
        .filter(decision::Column::CaseId.eq(case_id))
        .order_by_asc(decision::Column::Version)
        .all(db)
        .await
}
