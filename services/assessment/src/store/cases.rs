//! Cases: opening one (from an alert inside the consumer's transaction, or by hand with its
//! event in one transaction), reading and listing.

use chrono::{DateTime, SubsecRound as _, Utc};
use prism_contracts::{events::assessment::CaseOpened, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::OnConflict, ColumnTrait as _, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::{district_index, entities::case, list_of};
use crate::{domain::case::Status, NAME};

/// What a new case starts from.
#[derive(Debug, Clone)]
pub struct Opening {
    pub alert_id: Option<Uuid>,
    pub report_ids: Vec<Uuid>,
    pub product: String,
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub initial_level: Option<String>,
    pub deadline: Option<DateTime<Utc>>,
    pub correlation_id: Option<Uuid>,
    pub opened_by: String,
}

impl Opening {
    /// Times are cut to microseconds, what PostgreSQL keeps, so the event announces exactly
    /// what a later read returns.
    fn into_row(self, opened_at: DateTime<Utc>) -> case::Model {
        case::Model {
            id: Uuid::now_v7(),
            alert_id: self.alert_id,
            report_ids: serde_json::json!(self.report_ids),
            product: self.product,
            category: self.category,
            district_index: district_index(&self.districts),
            districts: serde_json::json!(self.districts),
            initial_level: self.initial_level,
            status: Status::Open.as_str().to_owned(),
            deadline: self.deadline.map(|d| d.trunc_subsecs(6)),
            correlation_id: self.correlation_id,
            opened_by: self.opened_by,
            opened_at: opened_at.trunc_subsecs(6),
        }
    }
}

/// Opens the case of an alert in the caller's transaction; `None` if the alert already has
/// one (the same alert announced again under another event id).
pub async fn open_for_alert<C: ConnectionTrait>(
    conn: &C,
    opening: Opening,
) -> Result<Option<case::Model>, DbErr> {
    let row = opening.into_row(Utc::now());
    // `ON CONFLICT DO NOTHING` rather than look-then-insert: two instances handling the same
    // alert at once cannot both open a case, and neither fails.
    let inserted = case::Entity::insert(case::ActiveModel::from(row.clone()))
        .on_conflict(
            OnConflict::column(case::Column::AlertId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok((inserted == 1).then_some(row))
}

/// Opens a case by hand and stages its `CaseOpened`, in one transaction.
pub async fn open(
    db: &DatabaseConnection,
    outbox: &Outbox,
    opening: Opening,
) -> Result<case::Model, DbErr> {
    let mut row = opening.into_row(Utc::now());
    let envelope = Envelope::new(NAME, opened_event(&row));
    // A case opened by hand starts its own chain of events; its decisions continue it.
    row.correlation_id = Some(envelope.correlation_id);
    let txn = db.begin().await?;
    let stored = case::Entity::insert(case::ActiveModel::from(row))
        .exec_with_returning(&txn)
        .await?;
    outbox.stage(&txn, &envelope).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(stored)
}

/// The event that announces a case.
pub fn opened_event(row: &case::Model) -> CaseOpened {
    CaseOpened {
        case_id: row.id,
        alert_id: row.alert_id,
        report_ids: list_of(&row.report_ids),
        product: row.product.clone(),
        category: row.category.clone(),
        districts: list_of(&row.districts),
        deadline: row.deadline,
        opened_at: row.opened_at,
    }
}

/// One case.
pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<case::Model>, DbErr> {
    case::Entity::find_by_id(id).one(conn).await
}

/// What a list of cases may be narrowed to.
#[derive(Debug, Default)]
pub struct CaseFilter {
    /// Only cases involving one of these districts (a district bureau).
    pub visible_districts: Option<Vec<String>>,
    pub status: Option<String>,
    pub district: Option<String>,
    pub category: Option<String>,
}

/// Newest first; `before` is the id of the last case of the previous page.
pub async fn list(
    db: &DatabaseConnection,
    filter: &CaseFilter,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<case::Model>, DbErr> {
    let mut query = case::Entity::find().order_by_desc(case::Column::Id);
    let involves = |code: &str| case::Column::DistrictIndex.like(format!("%,{code},%"));
    if let Some(visible) = &filter.visible_districts {
        // A bureau without districts sees nothing (an empty `OR` would not say so portably).
        if visible.is_empty() {
            return Ok(Vec::new());
        }
        let any = visible
            .iter()
            .fold(Condition::any(), |any, code| any.add(involves(code)));
        query = query.filter(any);
    }
    if let Some(district) = &filter.district {
        query = query.filter(involves(district));
    }
    if let Some(status) = &filter.status {
        query = query.filter(case::Column::Status.eq(status.as_str()));
    }
    if let Some(category) = &filter.category {
        query = query.filter(case::Column::Category.eq(category.as_str()));
    }
    if let Some(before) = before {
        query = query.filter(case::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(db).await
}
