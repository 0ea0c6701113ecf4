//! What regulators do to signals: merge, split, reclassify, escalate, dismiss. Each runs in
//! one transaction with its audit row and the event that announces it.

use chrono::Utc;
use prism_contracts::{
    events::triage::{SignalDismissed, SignalOpened, SignalUpdated},
    Envelope, RiskLevel,
};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait as _, ActiveValue::Set, ColumnTrait as _, DatabaseConnection,
    DatabaseTransaction, DbErr, EntityTrait as _, QueryFilter as _, TransactionTrait as _,
};
use serde_json::json;
use uuid::Uuid;

use super::{attach, audit, find, mark_escalated, recompute, report_ids, snapshot, ACTIVE};
use crate::{
    store::{
        classifications,
        entities::{classification, signal, signal_report},
    },
    NAME,
};

/// Why an action was refused.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("no such signal")]
    NotFound,
    /// The signal is dismissed or merged, or already escalated.
    #[error("the signal is {0}")]
    WrongStatus(String),
    /// A field of the request does not fit the signal (named).
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: Problem,
    },
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// What is wrong with a request that named reports or signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A report is not in the signal.
    NotInSignal,
    /// Splitting off every report would leave an empty signal.
    WouldEmpty,
    /// A signal cannot be merged into itself.
    SelfMerge,
    /// A signal to merge does not exist or is not active.
    NotMergeable,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NotInSignal => "not in the signal",
            Self::WouldEmpty => "would leave the signal empty",
            Self::SelfMerge => "cannot merge a signal into itself",
            Self::NotMergeable => "not an active signal",
        })
    }
}

/// Who acts and why.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub by: &'a str,
    pub reason: &'a str,
}

/// Opens a transaction whose first statement writes the signal (SQLite then holds the write
/// lock), and returns the signal if it is still active.
async fn begin(
    db: &DatabaseConnection,
    id: Uuid,
) -> Result<(DatabaseTransaction, signal::Model), ActionError> {
    let txn = db.begin().await?;
    let touched = signal::Entity::update_many()
        .col_expr(signal::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(signal::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    if touched.rows_affected == 0 {
        return Err(ActionError::NotFound);
    }
    let signal = find(&txn, id).await?.ok_or(ActionError::NotFound)?;
    if !ACTIVE.contains(&signal.status.as_str()) {
        return Err(ActionError::WrongStatus(signal.status));
    }
    Ok((txn, signal))
}

async fn announce_update(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    signal: &signal::Model,
    change: &str,
    actor: Actor<'_>,
) -> Result<(), DbErr> {
    let event = SignalUpdated {
        signal: snapshot(txn, signal).await?,
        change: change.to_owned(),
        by: Some(actor.by.to_owned()),
        reason: Some(actor.reason.to_owned()),
        updated_at: Utc::now(),
    };
    outbox
        .stage(txn, &Envelope::new(NAME, event))
        .await
        .map(drop)
}

async fn commit(txn: DatabaseTransaction, outbox: &Outbox) -> Result<(), DbErr> {
    txn.commit().await?;
    outbox.committed();
    Ok(())
}

/// Moves every report of `sources` into `target`; the sources become `merged`.
pub async fn merge(
    db: &DatabaseConnection,
    outbox: &Outbox,
    target: Uuid,
    sources: &[Uuid],
    actor: Actor<'_>,
) -> Result<signal::Model, ActionError> {
    let (txn, into) = begin(db, target).await?;
    let invalid = |problem| ActionError::Invalid {
        field: "signal_ids",
        problem,
    };
    let mut moved = Vec::new();
    for &source in sources {
        if source == target {
            return Err(invalid(Problem::SelfMerge));
        }
        let from = find(&txn, source)
            .await?
            .filter(|s| ACTIVE.contains(&s.status.as_str()))
            .ok_or(invalid(Problem::NotMergeable))?;
        let reports = report_ids(&txn, source).await?;
        attach(&txn, target, &reports).await?;
        signal_report::Entity::delete_many()
            .filter(signal_report::Column::SignalId.eq(source))
            .exec(&txn)
            .await?;
        let mut active: signal::ActiveModel = from.into();
        active.status = Set("merged".to_owned());
        let from = recompute(&txn, active.update(&txn).await?).await?;
        let detail = json!({"into": target, "report_ids": reports});
        audit(
            &txn,
            source,
            "merged_into",
            Some(actor.by),
            Some(actor.reason),
            detail,
        )
        .await?;
        announce_update(&txn, outbox, &from, "merged", actor).await?;
        moved.extend(reports);
    }
    let into = recompute(&txn, into).await?;
    let detail = json!({"from": sources, "report_ids": moved});
    audit(
        &txn,
        target,
        "merged",
        Some(actor.by),
        Some(actor.reason),
        detail,
    )
    .await?;
    announce_update(&txn, outbox, &into, "merged", actor).await?;
    let into = escalate_if_important(&txn, outbox, into).await?;
    commit(txn, outbox).await?;
    Ok(into)
}

/// Moves `reports` out of the signal into a new one (origin `manual`); returns the new one.
pub async fn split(
    db: &DatabaseConnection,
    outbox: &Outbox,
    id: Uuid,
    reports: &[Uuid],
    actor: Actor<'_>,
) -> Result<signal::Model, ActionError> {
    let (txn, from) = begin(db, id).await?;
    let present = report_ids(&txn, id).await?;
    let invalid = |problem| ActionError::Invalid {
        field: "report_ids",
        problem,
    };
    if reports.iter().any(|r| !present.contains(r)) {
        return Err(invalid(Problem::NotInSignal));
    }
    if present.iter().all(|r| reports.contains(r)) {
        return Err(invalid(Problem::WouldEmpty));
    }
    signal_report::Entity::delete_many()
        .filter(signal_report::Column::SignalId.eq(id))
        .filter(signal_report::Column::ReportId.is_in(reports.to_vec()))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    let new_id = Uuid::now_v7();
    let new = signal::ActiveModel {
        id: Set(new_id),
        product: Set(from.product.clone()),
        category: Set(from.category.clone()),
        districts: Set(from.districts.clone()),
        district_index: Set(from.district_index.clone()),
        report_count: Set(0),
        important: Set(false),
        status: Set("open".to_owned()),
        origin: Set("manual".to_owned()),
        surge_key: Set(None),
        level: Set(None),
        first_seen: Set(from.first_seen),
        last_seen: Set(from.last_seen),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    attach(&txn, new_id, reports).await?;
    let new = recompute(&txn, new).await?;
    let from = recompute(&txn, from).await?;
    let detail = json!({"into": new_id, "report_ids": reports});
    audit(
        &txn,
        id,
        "split",
        Some(actor.by),
        Some(actor.reason),
        detail,
    )
    .await?;
    let detail = json!({"from": id, "report_ids": reports});
    audit(
        &txn,
        new_id,
        "split",
        Some(actor.by),
        Some(actor.reason),
        detail,
    )
    .await?;
    announce_update(&txn, outbox, &from, "split", actor).await?;
    let event = SignalOpened {
        signal: snapshot(&txn, &new).await?,
        opened_at: now,
    };
    outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
    let new = escalate_if_important(&txn, outbox, new).await?;
    commit(txn, outbox).await?;
    Ok(new)
}

/// Gives the signal, and the classifications of its reports, another category (which the
/// caller checked exists in the catalogue in force).
pub async fn reclassify(
    db: &DatabaseConnection,
    outbox: &Outbox,
    id: Uuid,
    category: &str,
    actor: Actor<'_>,
) -> Result<signal::Model, ActionError> {
    let (txn, signal) = begin(db, id).await?;
    let before = signal.category.clone();
    let reports = report_ids(&txn, id).await?;
    classification::Entity::update_many()
        .col_expr(classification::Column::Category, Expr::value(category))
        .col_expr(classification::Column::ReviewedBy, Expr::value(actor.by))
        .col_expr(classification::Column::ReviewedAt, Expr::value(Utc::now()))
        .filter(classification::Column::ReportId.is_in(reports.clone()))
        .exec(&txn)
        .await?;
    classifications::recategorise_districts(&txn, reports, category).await?;
    let mut active: signal::ActiveModel = signal.into();
    active.category = Set(Some(category.to_owned()));
    let signal = active.update(&txn).await?;
    let detail = json!({"from": before, "to": category});
    audit(
        &txn,
        id,
        "reclassified",
        Some(actor.by),
        Some(actor.reason),
        detail,
    )
    .await?;
    announce_update(&txn, outbox, &signal, "reclassified", actor).await?;
    commit(txn, outbox).await?;
    Ok(signal)
}

/// Sends the signal to assessment.
pub async fn escalate(
    db: &DatabaseConnection,
    outbox: &Outbox,
    id: Uuid,
    level: Option<RiskLevel>,
    actor: Actor<'_>,
) -> Result<signal::Model, ActionError> {
    let (txn, signal) = begin(db, id).await?;
    if signal.status != "open" {
        return Err(ActionError::WrongStatus(signal.status));
    }
    let (signal, event) = mark_escalated(&txn, signal, Some(actor.by), actor.reason, level).await?;
    outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
    commit(txn, outbox).await?;
    Ok(signal)
}

/// Closes the signal with a reason.
pub async fn dismiss(
    db: &DatabaseConnection,
    outbox: &Outbox,
    id: Uuid,
    actor: Actor<'_>,
) -> Result<signal::Model, ActionError> {
    let (txn, signal) = begin(db, id).await?;
    let mut active: signal::ActiveModel = signal.into();
    active.status = Set("dismissed".to_owned());
    let signal = active.update(&txn).await?;
    audit(
        &txn,
        id,
        "dismissed",
        Some(actor.by),
        Some(actor.reason),
        json!({}),
    )
    .await?;
    let event = SignalDismissed {
        signal: snapshot(&txn, &signal).await?,
        by: actor.by.to_owned(),
        reason: actor.reason.to_owned(),
        dismissed_at: Utc::now(),
    };
    outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
    commit(txn, outbox).await?;
    Ok(signal)
}

/// An open signal that holds an important report goes to assessment by itself.
async fn escalate_if_important(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    signal: signal::Model,
) -> Result<signal::Model, DbErr> {
    if !(signal.important && signal.status == "open") {
        return Ok(signal);
    }
    let (signal, event) = mark_escalated(txn, signal, None, "important report", None).await?;
    outbox.stage(txn, &Envelope::new(NAME, event)).await?;
    Ok(signal)
}
