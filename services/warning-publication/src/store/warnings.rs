//! Warnings: drafting and editing drafts (each with its audit entry, and its event where
//! there is one, in one transaction), reading and listing. Publishing, updating and
//! cancelling are in [`super::lifecycle`].

use chrono::{DateTime, SubsecRound as _, Utc};
use prism_contracts::{events::warning::WarningDrafted, Envelope, RiskLevel};
use prism_messaging::Outbox;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::{audit, district_index, entities::warning, list_of, search};
use crate::{
    domain::{district, warning::Draft, warning::Status},
    NAME,
};

/// The current time as the database keeps it: PostgreSQL stores microseconds, so a time
/// truncated to them reads back equal on both backends (the list cursor relies on that).
pub(crate) fn now() -> DateTime<Utc> {
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
    let mut row = warning::ActiveModel {
        id: Set(Uuid::now_v7()),
        status: Set(Status::Draft.as_str().to_owned()),
        case_id: Set(draft.case_id),
        drafted_by: Set(drafted_by.to_owned()),
        approved_by: Set(None),
        version: Set(0),
        created_at: Set(at),
        updated_at: Set(at),
        published_at: Set(None),
        last_edited_by: Set(None),
        change_note: Set(None),
        pending: Set(None),
        pending_by: Set(None),
        pending_reason: Set(None),
        cancel_reason: Set(None),
        cancelled_by: Set(None),
        cancelled_at: Set(None),
        report_ids: Set(serde_json::json!(draft.report_ids)),
        ..Default::default()
    };
    set_content(&mut row, &draft);
    let stored = warning::Entity::insert(row)
        .exec_with_returning(conn)
        .await?;
    search::reindex(conn, &stored).await?;
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

/// Sets what a draft says on a stored row: its text, level, places, times and search text.
/// The case and reports it rests on are set once, when it is drafted.
pub fn set_content(row: &mut warning::ActiveModel, draft: &Draft) {
    row.warning_type = Set(draft.warning_type.clone());
    row.title_zh = Set(draft.title_zh.clone());
    row.summary_zh = Set(draft.summary_zh.clone());
    row.advice_zh = Set(draft.advice_zh.clone());
    row.title_en = Set(draft.title_en.clone());
    row.summary_en = Set(draft.summary_en.clone());
    row.advice_en = Set(draft.advice_en.clone());
    row.level = Set(draft.level.as_str().to_owned());
    row.category = Set(draft.category.clone());
    row.district_index = Set(district_index(&draft.districts));
    row.districts = Set(serde_json::json!(draft.districts));
    row.effective_at = Set(draft.effective_at);
    row.expires_at = Set(draft.expires_at);
    row.search_text = Set(draft.search_text());
}

/// What editing a draft came to.
pub enum Edit {
    Edited(warning::Model),
    NotFound,
    /// Only drafts are edited; a published warning gets an update instead.
    NotDraft(warning::Model),
}

/// Replaces a draft's content, with its audit entry, in one transaction. The editor becomes
/// a second author: they may not approve it either.
pub async fn edit(
    db: &DatabaseConnection,
    id: Uuid,
    draft: Draft,
    editor: &str,
) -> Result<Edit, DbErr> {
    let at = now();
    let txn = db.begin().await?;
    let mut row = warning::ActiveModel {
        updated_at: Set(at),
        last_edited_by: Set(Some(editor.to_owned())),
        ..Default::default()
    };
    set_content(&mut row, &draft);
    let updated = warning::Entity::update_many()
        .set(row)
        .filter(warning::Column::Id.eq(id))
        .filter(warning::Column::Status.eq(Status::Draft.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(match find(db, id).await? {
            None => Edit::NotFound,
            Some(row) => Edit::NotDraft(row),
        });
    }
    let stored = find(&txn, id)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("warning {id} vanished during an edit")))?;
    search::reindex(&txn, &stored).await?;
    audit::record(
        &txn,
        id,
        "edited",
        editor,
        at,
        serde_json::json!({"title_zh": stored.title_zh, "level": stored.level}),
    )
    .await?;
    txn.commit().await?;
    Ok(Edit::Edited(stored))
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
    /// Search terms, all of which must occur (see [`crate::domain::search::terms`]).
    pub terms: Vec<String>,
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
    for term in &filter.terms {
        query = query.filter(search::contains(db.get_database_backend(), term));
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

/// The warnings the public may see (published, or withdrawn after publication), most
/// recently changed first: what the CAP index lists.
pub async fn list_public_recent(
    db: &DatabaseConnection,
    limit: u64,
) -> Result<Vec<warning::Model>, DbErr> {
    warning::Entity::find()
        .filter(warning::Column::PublishedAt.is_not_null())
        .filter(
            warning::Column::Status.is_in([Status::Published.as_str(), Status::Cancelled.as_str()]),
        )
        .order_by_desc(warning::Column::UpdatedAt)
        .order_by_desc(warning::Column::Id)
        .limit(limit)
        .all(db)
        .await
}
