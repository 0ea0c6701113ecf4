//! Deadlines: finding important cases past their deadline undecided, and marking each
//! overdue with its `CaseOverdue` in one transaction, once.

use chrono::{DateTime, SubsecRound as _, Utc};
use prism_contracts::{events::assessment::CaseOverdue, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Expr, ColumnTrait as _, DatabaseConnection, DbErr, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};

use super::{entities::case, list_of};
use crate::{domain::case::Status, NAME};

/// How many overdue cases one sweep handles; the next sweep takes the rest.
const BATCH: u64 = 100;

/// Marks open cases whose deadline passed before `now` as overdue and stages their
/// `CaseOverdue`; returns how many this call marked.
pub async fn mark_overdue(
    db: &DatabaseConnection,
    outbox: &Outbox,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let due = case::Entity::find()
        .filter(case::Column::Status.eq(Status::Open.as_str()))
        .filter(case::Column::OverdueAt.is_null())
        .filter(case::Column::Deadline.lt(now))
        .order_by_asc(case::Column::Deadline)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut marked = 0;
    for row in due {
        let detected_at = now.trunc_subsecs(6);
        let txn = db.begin().await?;
        // Conditional on still being open and unmarked: another instance (or a decision)
        // that got there first leaves nothing to update, so the event goes out once.
        let updated = case::Entity::update_many()
            .col_expr(case::Column::OverdueAt, Expr::value(detected_at))
            .filter(case::Column::Id.eq(row.id))
            .filter(case::Column::OverdueAt.is_null())
            .filter(case::Column::Status.eq(Status::Open.as_str()))
            .exec(&txn)
            .await?;
        let Some(deadline) = row.deadline else {
            continue;
        };
        if updated.rows_affected == 1 {
            let event = CaseOverdue {
                case_id: row.id,
                report_ids: list_of(&row.report_ids),
                product: row.product.clone(),
                category: row.category.clone(),
                districts: list_of(&row.districts),
                deadline,
                detected_at,
            };
            let mut envelope = Envelope::new(NAME, event);
            if let Some(correlation_id) = row.correlation_id {
                envelope.correlation_id = correlation_id;
            }
            outbox.stage(&txn, &envelope).await?;
            txn.commit().await?;
            outbox.committed();
            marked += 1;
        }
    }
    Ok(marked)
}
