//! Cases: opening one by hand with its event in one transaction, reading and listing
//! ([`super::openings`] opens them from triage's events).

use chrono::{DateTime, SubsecRound as _, Utc};
use prism_contracts::{events::assessment::CaseOpened, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Query, ColumnTrait as _, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::{
    district_index,
    entities::{assignment, case},
    list_of, openings,
};
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
    pub signal_id: Option<Uuid>,
    /// The reporting stations' ids and codes.
    pub stations: Vec<String>,
    pub enterprises: Vec<String>,
}

impl Opening {
    /// Times are cut to microseconds, what PostgreSQL keeps, so the event announces exactly
    /// what a later read returns.
    pub fn into_row(self, opened_at: DateTime<Utc>) -> case::Model {
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
            signal_id: self.signal_id,
            stations: Some(serde_json::json!(self.stations)),
            enterprises: Some(serde_json::json!(self.enterprises)),
            overdue_at: None,
        }
    }
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
    // Its reports become its own unless another case already has them.
    openings::claim(&txn, stored.id, &list_of::<Uuid>(&stored.report_ids)).await?;
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

/// The parties of a case that an expert must not be affiliated with: the reporting
/// stations and the involved enterprises.
pub fn parties(row: &case::Model) -> Vec<String> {
    let mut parties: Vec<String> = row.stations.as_ref().map(list_of).unwrap_or_default();
    parties.extend(
        row.enterprises
            .as_ref()
            .map(list_of::<String>)
            .unwrap_or_default(),
    );
    parties
}

/// What a list of cases may be narrowed to.
#[derive(Debug, Default)]
pub struct CaseFilter {
    /// Only cases involving one of these districts (a district bureau).
    pub visible_districts: Option<Vec<String>>,
    pub status: Option<String>,
    pub district: Option<String>,
    pub category: Option<String>,
    /// Only cases on this expert's panel.
    pub assigned_to: Option<String>,
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
    if let Some(expert) = &filter.assigned_to {
        let panels = Query::select()
            .column(assignment::Column::CaseId)
            .from(assignment::Entity)
            .and_where(assignment::Column::ExpertId.eq(expert.as_str()))
            .to_owned();
        query = query.filter(case::Column::Id.in_subquery(panels));
    }
    if let Some(before) = before {
        query = query.filter(case::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(db).await
}
