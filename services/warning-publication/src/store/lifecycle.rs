//! A warning's life after drafting: approval publishes version 1; an update proposed by a
//! regulator becomes version n+1 when a publisher other than its proposer approves it; a
//! cancellation withdraws it. Each change, its audit entry, its kept version and its event
//! commit in one transaction.

use chrono::{DateTime, Utc};
use prism_contracts::{
    events::warning::{WarningCancelled, WarningPublished, WarningUpdated},
    Envelope,
};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait as _, Condition, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait as _, QueryFilter as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::{
    audit,
    entities::warning,
    list_of, search, versions,
    warnings::{find, level_of, now, set_content},
};
use crate::{
    domain::warning::{Draft, Status},
    NAME,
};

/// What an approval came to.
pub enum Approval {
    /// A draft went out as version 1.
    Published(warning::Model),
    /// A proposed update went out as the next version.
    Updated(warning::Model),
    NotFound,
    /// The approver drafted, edited or proposed it: nobody approves their own text.
    OwnDraft,
    /// Nothing awaits approval: not a draft, and no update proposed.
    NotDraft(warning::Model),
}

/// Approves whatever awaits a publisher: a draft (published as version 1, announced as
/// `WarningPublished`) or a proposed update (version n+1, `WarningUpdated`).
pub async fn approve(
    db: &DatabaseConnection,
    outbox: &Outbox,
    id: Uuid,
    approver: &str,
) -> Result<Approval, DbErr> {
    let at = now();
    let txn = db.begin().await?;
    // A conditional update, not read-then-write: two publishers approving at once cannot
    // both win, and on SQLite a transaction that starts with a write waits for the lock.
    let updated = warning::Entity::update_many()
        .col_expr(
            warning::Column::Status,
            Expr::value(Status::Published.as_str()),
        )
        .col_expr(warning::Column::ApprovedBy, Expr::value(approver))
        .col_expr(warning::Column::Version, Expr::value(1))
        .col_expr(warning::Column::PublishedAt, Expr::value(at))
        .col_expr(warning::Column::UpdatedAt, Expr::value(at))
        .filter(warning::Column::Id.eq(id))
        .filter(warning::Column::Status.eq(Status::Draft.as_str()))
        .filter(warning::Column::DraftedBy.ne(approver))
        .filter(
            Condition::any()
                .add(warning::Column::LastEditedBy.is_null())
                .add(warning::Column::LastEditedBy.ne(approver)),
        )
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return approve_update(txn, outbox, id, approver, at).await;
    }
    let row = find(&txn, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("warning {id} vanished during approval")))?;
    versions::keep(&txn, &row, None, approver, at).await?;
    audit::record(
        &txn,
        id,
        "published",
        approver,
        at,
        serde_json::json!({"version": row.version}),
    )
    .await?;
    outbox
        .stage(&txn, &Envelope::new(NAME, published_event(&row, at)))
        .await?;
    txn.commit().await?;
    outbox.committed();
    Ok(Approval::Published(row))
}

/// The second half of [`approve`]: no draft was published, so a proposed update may be.
async fn approve_update(
    txn: DatabaseTransaction,
    outbox: &Outbox,
    id: Uuid,
    approver: &str,
    at: DateTime<Utc>,
) -> Result<Approval, DbErr> {
    let Some(row) = find(&txn, id).await? else {
        txn.rollback().await?;
        return Ok(Approval::NotFound);
    };
    if row.status == Status::Draft.as_str() {
        txn.rollback().await?;
        return Ok(Approval::OwnDraft);
    }
    let (Some(pending), Some(proposer)) = (row.pending.clone(), row.pending_by.clone()) else {
        txn.rollback().await?;
        return Ok(Approval::NotDraft(row));
    };
    if row.status != Status::Published.as_str() {
        txn.rollback().await?;
        return Ok(Approval::NotDraft(row));
    }
    if proposer == approver {
        txn.rollback().await?;
        return Ok(Approval::OwnDraft);
    }
    let draft: Draft = serde_json::from_value(pending)
        .map_err(|e| DbErr::Custom(format!("the pending update of {id} does not read: {e}")))?;
    let reason = row.pending_reason.clone().unwrap_or_default();
    let mut change = warning::ActiveModel {
        version: Set(row.version + 1),
        approved_by: Set(Some(approver.to_owned())),
        updated_at: Set(at),
        change_note: Set(Some(reason.clone())),
        pending: Set(None),
        pending_by: Set(None),
        pending_reason: Set(None),
        ..Default::default()
    };
    set_content(&mut change, &draft);
    // Only the version we read: a concurrent approval or cancellation wins, this one retries.
    let updated = warning::Entity::update_many()
        .set(change)
        .filter(warning::Column::Id.eq(id))
        .filter(warning::Column::Version.eq(row.version))
        .filter(warning::Column::Status.eq(Status::Published.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(Approval::NotDraft(row));
    }
    let stored = find(&txn, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("warning {id} vanished during an update")))?;
    search::reindex(&txn, &stored).await?;
    versions::keep(&txn, &stored, Some(&reason), approver, at).await?;
    audit::record(
        &txn,
        id,
        "updated",
        approver,
        at,
        serde_json::json!({"version": stored.version, "proposed_by": proposer, "reason": reason}),
    )
    .await?;
    let event = WarningUpdated {
        warning: published_event(&stored, at),
        previous_version: u32::try_from(row.version).unwrap_or(0),
        reason,
        updated_by: approver.to_owned(),
    };
    outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(Approval::Updated(stored))
}

/// What proposing an update came to.
pub enum Proposal {
    Proposed(warning::Model),
    NotFound,
    /// Only a published warning is updated; a draft is edited.
    NotPublished(warning::Model),
}

/// Stores a proposed new version of a published warning; the public keeps seeing the
/// current one until a publisher approves it. A newer proposal replaces an older one.
pub async fn propose_update(
    db: &DatabaseConnection,
    id: Uuid,
    draft: &Draft,
    reason: &str,
    proposer: &str,
) -> Result<Proposal, DbErr> {
    let at = now();
    let pending = serde_json::to_value(draft)
        .map_err(|e| DbErr::Custom(format!("an update does not serialise: {e}")))?;
    let txn = db.begin().await?;
    let updated = warning::Entity::update_many()
        .col_expr(warning::Column::Pending, Expr::value(pending))
        .col_expr(warning::Column::PendingBy, Expr::value(proposer))
        .col_expr(warning::Column::PendingReason, Expr::value(reason))
        .filter(warning::Column::Id.eq(id))
        .filter(warning::Column::Status.eq(Status::Published.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(match find(db, id).await? {
            None => Proposal::NotFound,
            Some(row) => Proposal::NotPublished(row),
        });
    }
    audit::record(
        &txn,
        id,
        "update_proposed",
        proposer,
        at,
        serde_json::json!({"reason": reason, "title_zh": draft.title_zh}),
    )
    .await?;
    let row = find(&txn, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("warning {id} vanished")))?;
    txn.commit().await?;
    Ok(Proposal::Proposed(row))
}

/// Withdraws a warning that is still in the state `expected` (the caller checked who may
/// withdraw it in that state). `None` when it changed meanwhile.
pub async fn cancel(
    db: &DatabaseConnection,
    outbox: &Outbox,
    id: Uuid,
    expected: &warning::Model,
    reason: &str,
    actor: &str,
) -> Result<Option<warning::Model>, DbErr> {
    let at = now();
    let txn = db.begin().await?;
    let updated = warning::Entity::update_many()
        .col_expr(
            warning::Column::Status,
            Expr::value(Status::Cancelled.as_str()),
        )
        .col_expr(warning::Column::CancelReason, Expr::value(reason))
        .col_expr(warning::Column::CancelledBy, Expr::value(actor))
        .col_expr(warning::Column::CancelledAt, Expr::value(at))
        .col_expr(warning::Column::UpdatedAt, Expr::value(at))
        .col_expr(
            warning::Column::Pending,
            Expr::value(Option::<serde_json::Value>::None),
        )
        .filter(warning::Column::Id.eq(id))
        .filter(warning::Column::Status.eq(expected.status.as_str()))
        .filter(warning::Column::Version.eq(expected.version))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(None);
    }
    let row = find(&txn, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("warning {id} vanished")))?;
    audit::record(
        &txn,
        id,
        "cancelled",
        actor,
        at,
        serde_json::json!({"reason": reason, "was": expected.status, "version": row.version}),
    )
    .await?;
    let event = WarningCancelled {
        warning_id: id,
        version: u32::try_from(row.version).unwrap_or(0),
        report_ids: list_of(&row.report_ids),
        was_published: row.published_at.is_some(),
        reason: reason.to_owned(),
        cancelled_by: actor.to_owned(),
        cancelled_at: at,
    };
    outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(Some(row))
}

/// The event that tells everyone a version of a warning went out.
pub fn published_event(row: &warning::Model, published_at: DateTime<Utc>) -> WarningPublished {
    WarningPublished {
        warning_id: row.id,
        version: u32::try_from(row.version).unwrap_or(1),
        case_id: row.case_id,
        report_ids: list_of(&row.report_ids),
        warning_type: row.warning_type.clone(),
        title_zh: row.title_zh.clone(),
        title_en: row.title_en.clone(),
        level: level_of(row),
        category: row.category.clone(),
        districts: list_of(&row.districts),
        published_at,
    }
}
