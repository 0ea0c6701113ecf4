//! Experts' scores and lab results, each change announced as `CaseAssessed` with the case's
//! new computed level in the same transaction.

use chrono::{SubsecRound as _, Utc};
use prism_contracts::{events::assessment::CaseAssessed, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::{
    entities::{case, lab_result, score},
    list_of,
};
use crate::{
    domain::{
        lab::ValidLabResult,
        risk::{Probability, Severity},
        score::ValidScore,
        summary::{Scored, Summary},
    },
    NAME,
};

/// Why an expert could not change a score.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("no such score on this case")]
    NotFound,
    #[error("the score is another expert's")]
    NotYours,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Adds `expert_id`'s scenario to `case` and stages `CaseAssessed`.
pub async fn add(
    db: &DatabaseConnection,
    outbox: &Outbox,
    case: &case::Model,
    expert_id: &str,
    valid: ValidScore,
) -> Result<score::Model, DbErr> {
    let now = Utc::now().trunc_subsecs(6);
    let mut row = active(valid, now);
    row.id = Set(Uuid::now_v7());
    row.case_id = Set(case.id);
    row.expert_id = Set(expert_id.to_owned());
    row.created_at = Set(now);
    let txn = db.begin().await?;
    // The insert is the transaction's first statement (SQLite: a writer from the start).
    let stored = score::Entity::insert(row).exec_with_returning(&txn).await?;
    stage_assessed(&txn, outbox, case, expert_id).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(stored)
}

/// Replaces one of `expert_id`'s own scenarios; another expert's is refused.
pub async fn change(
    db: &DatabaseConnection,
    outbox: &Outbox,
    case: &case::Model,
    score_id: Uuid,
    expert_id: &str,
    valid: ValidScore,
) -> Result<score::Model, ChangeError> {
    let now = Utc::now().trunc_subsecs(6);
    let txn = db.begin().await?;
    // Only the author's row matches, so the check and the change are one statement.
    let mut update = score::Entity::update_many().set(active(valid, now));
    update = update
        .filter(score::Column::Id.eq(score_id))
        .filter(score::Column::CaseId.eq(case.id))
        .filter(score::Column::ExpertId.eq(expert_id));
    if update.exec(&txn).await?.rows_affected == 0 {
        let exists = score::Entity::find_by_id(score_id)
            .filter(score::Column::CaseId.eq(case.id))
            .one(&txn)
            .await?;
        return Err(match exists {
            Some(_) => ChangeError::NotYours,
            None => ChangeError::NotFound,
        });
    }
    let stored = score::Entity::find_by_id(score_id)
        .one(&txn)
        .await?
        .ok_or(ChangeError::NotFound)?;
    stage_assessed(&txn, outbox, case, expert_id).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(stored)
}

fn active(valid: ValidScore, now: chrono::DateTime<Utc>) -> score::ActiveModel {
    score::ActiveModel {
        injured: Set(valid.injured),
        hazard: Set(valid.hazard),
        scenario: Set(valid.scenario),
        steps: Set(serde_json::json!(valid.steps)),
        probability: Set(valid.probability.get()),
        severity: Set(i32::from(valid.severity.get())),
        level: Set(valid.level.as_str().to_owned()),
        rationale: Set(valid.rationale),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Records a lab result on `case` and stages `CaseAssessed`.
pub async fn add_lab_result(
    db: &DatabaseConnection,
    outbox: &Outbox,
    case: &case::Model,
    recorded_by: &str,
    valid: ValidLabResult,
) -> Result<lab_result::Model, DbErr> {
    let row = lab_result::ActiveModel {
        id: Set(Uuid::now_v7()),
        case_id: Set(case.id),
        indicator: Set(valid.indicator),
        standard: Set(valid.standard),
        requirement: Set(valid.requirement),
        measured: Set(valid.measured),
        passed: Set(valid.passed),
        safety: Set(valid.safety),
        laboratory: Set(valid.laboratory),
        report_ref: Set(valid.report_ref),
        recorded_by: Set(recorded_by.to_owned()),
        recorded_at: Set(Utc::now().trunc_subsecs(6)),
    };
    let txn = db.begin().await?;
    let stored = lab_result::Entity::insert(row)
        .exec_with_returning(&txn)
        .await?;
    stage_assessed(&txn, outbox, case, recorded_by).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(stored)
}

async fn stage_assessed(
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    case: &case::Model,
    by: &str,
) -> Result<(), DbErr> {
    let summary = summary(txn, case.id).await?;
    let event = CaseAssessed {
        case_id: case.id,
        report_ids: list_of(&case.report_ids),
        level: summary.level,
        disagreement: summary.disagreement,
        assessed_by: by.to_owned(),
        assessed_at: Utc::now(),
    };
    let mut envelope = Envelope::new(NAME, event);
    if let Some(correlation_id) = case.correlation_id {
        envelope.correlation_id = correlation_id;
    }
    outbox.stage(txn, &envelope).await?;
    Ok(())
}

/// A case's scores, oldest first.
pub async fn of<C: ConnectionTrait>(conn: &C, case_id: Uuid) -> Result<Vec<score::Model>, DbErr> {
    score::Entity::find()
        .filter(score::Column::CaseId.eq(case_id))
        .order_by_asc(score::Column::Id)
        .all(conn)
        .await
}

/// A case's lab results, oldest first.
pub async fn lab_results_of<C: ConnectionTrait>(
    conn: &C,
    case_id: Uuid,
) -> Result<Vec<lab_result::Model>, DbErr> {
    lab_result::Entity::find()
        .filter(lab_result::Column::CaseId.eq(case_id))
        .order_by_asc(lab_result::Column::Id)
        .all(conn)
        .await
}

/// The case's computed level and the experts' levels, from its stored scores.
pub async fn summary<C: ConnectionTrait>(conn: &C, case_id: Uuid) -> Result<Summary, DbErr> {
    Ok(summarise(&of(conn, case_id).await?))
}

/// The summary of stored scores (a row that no longer parses counts for nothing).
pub fn summarise(rows: &[score::Model]) -> Summary {
    let scored: Vec<Scored> = rows
        .iter()
        .filter_map(|row| {
            Some(Scored {
                expert_id: row.expert_id.clone(),
                severity: Severity::new(i64::from(row.severity))?,
                probability: Probability::new(row.probability)?,
            })
        })
        .collect();
    Summary::of(&scored)
}
