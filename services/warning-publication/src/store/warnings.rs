//! Warnings: drafting (with its audit entry and event in one transaction), approving,
//! reading and listing.

use chrono::{DateTime, SubsecRound as _, Utc};
use prism_contracts::{
    events::warning::{WarningDrafted, WarningPublished},
    Envelope, RiskLevel,
};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait,
    DatabaseConnection, DbErr, EntityTrait as _, QueryFilter as _, QueryOrder as _,
    QuerySelect as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::{audit, district_index, entities::warning, list_of};
use crate::{
    domain::{district, warning::Draft, warning::Status},
    NAME,
};

/// The current time as the database keeps it: PostgreSQL stores microseconds, so a time
/// truncated to them reads back equal on both backends (the list cursor relies on that).
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Writes a draft and its audit entry on `conn` and returns the event announcing it; the
/// caller stages the event (as a new chain or caused by a decision) and commits.
pub async fn insert_draft<C: ConnectionTrait>(
    conn: &C,
    draft: Draft,
    drafted_by: &str,
    detail: serde_json::Value,
) -> Result<(warning::Model, WarningDrafted), DbErr> {
    let at = now();
    let row = warning::ActiveModel {
        id: Set(Uuid::now_v7()),
        status: Set(Status::Draft.as_str().to_owned()),
        warning_type: Set(draft.warning_type),
        title_zh: Set(draft.title_zh),
        summary_zh: Set(draft.summary_zh),
        advice_zh: Set(draft.advice_zh),
        title_en: Set(draft.title_en),
        summary_en: Set(draft.summary_en),
        advice_en: Set(draft.advice_en),
        level: Set(draft.level.as_str().to_owned()),
        category: Set(draft.category),
        district_index: Set(district_index(&draft.districts)),
        districts: Set(serde_json::json!(draft.districts)),
        case_id: Set(draft.case_id),
        report_ids: Set(serde_json::json!(draft.report_ids)),
        drafted_by: Set(drafted_by.to_owned()),
        approved_by: Set(None),
        version: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
        published_at: Set(None),
    };
    let stored = warning::Entity::insert(row)
        .exec_with_returning(conn)
        .await?;
    audit::record(conn, stored.id, "drafted", drafted_by, at, detail).await?;
    let event = WarningDrafted {
        warning_id: stored.id,
        case_id: stored.case_id,
        report_ids: list_of(&stored.report_ids),
        title_zh: stored.title_zh.clone(),
        level: level_of(&stored),
        drafted_by: stored.drafted_by.clone(),
        drafted_at: stored.created_at,
    };
    Ok((stored, event))
}

/// Stores a regulator's draft and announces it, in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    outbox: &Outbox,
    draft: Draft,
    drafted_by: &str,
) -> Result<warning::Model, DbErr> {
    let txn = db.begin().await?;
    let (stored, event) = insert_draft(
        &txn,
        draft,
        drafted_by,
        serde_json::json!({"source": "regulator"}),
    )
    .await?;
    outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(stored)
}

/// What an approval came to.
pub enum Approval {
    Published(warning::Model),
    NotFound,
    /// The approver drafted it: nobody approves their own draft.
    OwnDraft,
    /// It is not a draft (any more).
    NotDraft(warning::Model),
}

/// Publishes a draft as version 1, with its audit entry and `WarningPublished`, in one
/// transaction.
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
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(match find(db, id).await? {
            None => Approval::NotFound,
            Some(row) if row.status != Status::Draft.as_str() => Approval::NotDraft(row),
            Some(_) => Approval::OwnDraft,
        });
    }
    let row = find(&txn, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("warning {id} vanished during approval")))?;
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

/// The event that tells everyone a warning went out.
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

/// A stored level; only valid levels are ever written.
pub fn level_of(row: &warning::Model) -> RiskLevel {
    RiskLevel::parse(&row.level).unwrap_or(RiskLevel::Low)
}

/// One warning in any state.
pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<warning::Model>, DbErr> {
    warning::Entity::find_by_id(id).one(conn).await
}

/// What the public list may be narrowed to.
#[derive(Debug, Default)]
pub struct PublicFilter {
    pub category: Option<String>,
    pub district: Option<String>,
    pub level: Option<String>,
    pub warning_type: Option<String>,
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published before.
    pub to: Option<DateTime<Utc>>,
}

/// Where the previous page of the public list ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishedCursor {
    pub published_at: DateTime<Utc>,
    pub id: Uuid,
}

/// Published warnings, newest publication first, up to `limit + 1` of them.
pub async fn list_published(
    db: &DatabaseConnection,
    filter: &PublicFilter,
    after: Option<PublishedCursor>,
    limit: u64,
) -> Result<Vec<warning::Model>, DbErr> {
    let mut query = warning::Entity::find()
        .filter(warning::Column::Status.eq(Status::Published.as_str()))
        .order_by_desc(warning::Column::PublishedAt)
        .order_by_desc(warning::Column::Id);
    if let Some(category) = &filter.category {
        query = query.filter(warning::Column::Category.eq(category.as_str()));
    }
    if let Some(code) = &filter.district {
        query = query.filter(warning::Column::DistrictIndex.like(format!("%,{code},%")));
    }
    if let Some(level) = &filter.level {
        query = query.filter(warning::Column::Level.eq(level.as_str()));
    }
    if let Some(warning_type) = &filter.warning_type {
        query = query.filter(warning::Column::WarningType.eq(warning_type.as_str()));
    }
    if let Some(from) = filter.from {
        query = query.filter(warning::Column::PublishedAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(warning::Column::PublishedAt.lt(to));
    }
    if let Some(after) = after {
        query = query.filter(
            Condition::any()
                .add(warning::Column::PublishedAt.lt(after.published_at))
                .add(
                    Condition::all()
                        .add(warning::Column::PublishedAt.eq(after.published_at))
                        .add(warning::Column::Id.lt(after.id)),
                ),
        );
    }
    query.limit(limit + 1).all(db).await
}

/// Drafts, newest first (ids are time-ordered), up to `limit + 1` of them. `visible`
/// narrows to drafts involving those districts or the whole city (a district bureau).
pub async fn list_drafts(
    db: &DatabaseConnection,
    visible: Option<&[String]>,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<warning::Model>, DbErr> {
    let mut query = warning::Entity::find()
        .filter(warning::Column::Status.eq(Status::Draft.as_str()))
        .order_by_desc(warning::Column::Id);
    if let Some(visible) = visible {
        let involves = |code: &str| warning::Column::DistrictIndex.like(format!("%,{code},%"));
        let any = visible.iter().fold(
            Condition::any().add(involves(district::SHANGHAI_CITY)),
            |any, code| any.add(involves(code)),
        );
        query = query.filter(any);
    }
    if let Some(before) = before {
        query = query.filter(warning::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(db).await
}
