//! Panels: drawing a case's experts and announcing them in one transaction.

use chrono::{SubsecRound as _, Utc};
use prism_contracts::{events::assessment::ExpertsAssigned, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DbErr, EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _,
    TransactionTrait as _,
};
use uuid::Uuid;

use super::{
    cases,
    entities::{assignment, case},
    experts, list_of,
};
use crate::{
    domain::panel::{self, CaseParties, Shortfall},
    NAME,
};

/// What a regulator asks of a draw.
#[derive(Debug, Clone)]
pub struct Draw {
    pub size: usize,
    /// Involved enterprises named now, added to the case's.
    pub enterprises: Vec<String>,
    pub seed: u64,
}

/// Why a draw did not happen.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    #[error("the case already has a panel")]
    AlreadyAssigned,
    #[error("only {} experts qualify, {} wanted", .0.qualified, .0.wanted)]
    Shortfall(Shortfall),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Draws `case`'s panel, records it and stages `ExpertsAssigned`, in one transaction.
pub async fn assign(
    db: &DatabaseConnection,
    outbox: &Outbox,
    case: &case::Model,
    draw: Draw,
    assigned_by: &str,
) -> Result<Vec<assignment::Model>, DrawError> {
    let txn = db.begin().await?;
    // The case row is written first: on PostgreSQL its lock makes two draws for one case
    // take turns (the second then sees the first's panel); on SQLite a transaction that
    // starts by writing waits for the lock instead of failing to upgrade.
    let mut enterprises: Vec<String> = case.enterprises.as_ref().map(list_of).unwrap_or_default();
    for name in draw.enterprises {
        if !enterprises.contains(&name) {
            enterprises.push(name);
        }
    }
    case::Entity::update_many()
        .col_expr(
            case::Column::Enterprises,
            Expr::value(serde_json::json!(enterprises)),
        )
        .filter(case::Column::Id.eq(case.id))
        .exec(&txn)
        .await?;
    if on_panel_count(&txn, case.id).await? > 0 {
        return Err(DrawError::AlreadyAssigned);
    }
    let mut updated = case.clone();
    updated.enterprises = Some(serde_json::json!(enterprises));
    let parties = CaseParties {
        category: case.category.clone(),
        parties: cases::parties(&updated),
    };
    let pool = experts::pool(&txn).await?;
    let drawn = panel::draw(&pool, &parties, draw.size, draw.seed).map_err(DrawError::Shortfall)?;
    let now = Utc::now().trunc_subsecs(6);
    let mut rows = Vec::with_capacity(drawn.len());
    for expert_id in &drawn {
        let row = assignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            case_id: Set(case.id),
            expert_id: Set(expert_id.clone()),
            // Stored as the same 64 bits; read back with `as u64`.
            seed: Set(i64::from_ne_bytes(draw.seed.to_ne_bytes())),
            assigned_by: Set(assigned_by.to_owned()),
            assigned_at: Set(now),
        };
        rows.push(
            assignment::Entity::insert(row)
                .exec_with_returning(&txn)
                .await?,
        );
    }
    let event = ExpertsAssigned {
        case_id: case.id,
        experts: drawn,
        report_ids: list_of(&case.report_ids),
        assigned_by: assigned_by.to_owned(),
        assigned_at: now,
    };
    let mut envelope = Envelope::new(NAME, event);
    if let Some(correlation_id) = case.correlation_id {
        envelope.correlation_id = correlation_id;
    }
    outbox.stage(&txn, &envelope).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(rows)
}

async fn on_panel_count<C: ConnectionTrait>(conn: &C, case_id: Uuid) -> Result<u64, DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::CaseId.eq(case_id))
        .count(conn)
        .await
}

/// A case's panel in draw order.
pub async fn of<C: ConnectionTrait>(
    conn: &C,
    case_id: Uuid,
) -> Result<Vec<assignment::Model>, DbErr> {
    assignment::Entity::find()
        .filter(assignment::Column::CaseId.eq(case_id))
        .order_by_asc(assignment::Column::Id)
        .all(conn)
        .await
}

/// Whether `expert_id` sits on `case_id`'s panel.
pub async fn is_on_panel<C: ConnectionTrait>(
    conn: &C,
    case_id: Uuid,
    expert_id: &str,
) -> Result<bool, DbErr> {
    let count = assignment::Entity::find()
        .filter(assignment::Column::CaseId.eq(case_id))
        .filter(assignment::Column::ExpertId.eq(expert_id))
        .count(conn)
        .await?;
    Ok(count > 0)
}

/// The stored seed as the draw's.
pub fn seed_of(row: &assignment::Model) -> u64 {
    u64::from_ne_bytes(row.seed.to_ne_bytes())
}
