//! Classifications: recording one, reading one, the unclassified queue and classifying by
//! hand.

use chrono::Utc;
use prism_contracts::{events::triage::ReportClassified, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ActiveValue::Set, ColumnTrait as _, Condition,
    ConnectionTrait, DatabaseConnection, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, TransactionTrait as _,
};
use uuid::Uuid;

use super::entities::{classification, classification_district};

/// Records many classifications, and their districts, in a few multi-row statements.
pub async fn insert_many(
    conn: &impl ConnectionTrait,
    rows: Vec<classification::ActiveModel>,
) -> Result<(), DbErr> {
    let districts: Vec<_> = rows.iter().flat_map(district_rows).collect();
    // Rows per statement under both databases' parameter limits: 19 columns a
    // classification, 4 a district.
    insert_in_statements(conn, rows, 200).await?;
    insert_in_statements(conn, districts, 800).await
}

/// Inserts `rows` in statements of at most `per_statement` rows each.
async fn insert_in_statements<A: ActiveModelTrait>(
    conn: &impl ConnectionTrait,
    rows: Vec<A>,
    per_statement: usize,
) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        A::Entity::insert_many(chunk).exec(conn).await?;
    }
    Ok(())
}

/// A classification's rows in the district index (a district named twice counts once).
fn district_rows(row: &classification::ActiveModel) -> Vec<classification_district::ActiveModel> {
    let (Some(report_id), Some(districts), Some(received_at)) = (
        row.report_id.try_as_ref(),
        row.districts.try_as_ref(),
        row.received_at.try_as_ref(),
    ) else {
        return Vec::new();
    };
    let category = row.category.try_as_ref().cloned().flatten();
    let mut districts: Vec<&str> = districts
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect();
    districts.sort_unstable();
    districts.dedup();
    districts
        .into_iter()
        .map(|district| classification_district::ActiveModel {
            report_id: Set(*report_id),
            district: Set(district.to_owned()),
            category: Set(category.clone()),
            received_at: Set(*received_at),
        })
        .collect()
}

/// Gives `reports` another category in the district index, as their classifications got.
pub async fn recategorise_districts(
    conn: &impl ConnectionTrait,
    reports: Vec<Uuid>,
    category: &str,
) -> Result<(), DbErr> {
    classification_district::Entity::update_many()
        .col_expr(
            classification_district::Column::Category,
            Expr::value(category),
        )
        .filter(classification_district::Column::ReportId.is_in(reports))
        .exec(conn)
        .await?;
    Ok(())
}

/// One report's classification.
pub async fn find(
    db: &impl ConnectionTrait,
    report_id: Uuid,
) -> Result<Option<classification::Model>, DbErr> {
    classification::Entity::find_by_id(report_id).one(db).await
}

/// Reports waiting for a person, oldest first; `visible` limits them to a bureau's
/// districts.
pub async fn unclassified(
    db: &DatabaseConnection,
    visible: Option<&[String]>,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<classification::Model>, DbErr> {
    let mut query = classification::Entity::find()
        .filter(classification::Column::Category.is_null())
        .order_by_asc(classification::Column::ReportId);
    if let Some(visible) = visible {
        // Districts are a JSON array here: `"310115"` with its quotes cannot match a longer
        // code by accident.
        let any = visible.iter().fold(Condition::any(), |any, code| {
            any.add(
                Expr::col(classification::Column::Districts)
                    .cast_as(sea_orm::sea_query::Alias::new("text"))
                    .like(format!("%\"{code}\"%")),
            )
        });
        query = query.filter(any);
    }
    if let Some(after) = after {
        query = query.filter(classification::Column::ReportId.gt(after));
    }
    query.limit(limit + 1).all(db).await
}

/// Sets a report's category by hand and announces it; the report then joins a signal like
/// any classified report. `None` when there is no such report.
pub async fn reclassify(
    db: &DatabaseConnection,
    outbox: &Outbox,
    report_id: Uuid,
    category: &str,
    catalogue_version: u32,
    by: &str,
) -> Result<Option<classification::Model>, DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let version = i32::try_from(catalogue_version).unwrap_or(i32::MAX);
    let updated = classification::Entity::update_many()
        .col_expr(classification::Column::Category, Expr::value(category))
        .col_expr(classification::Column::Confidence, Expr::value(1.0))
        .col_expr(
            classification::Column::CatalogueVersion,
            Expr::value(version),
        )
        .col_expr(classification::Column::ReviewedBy, Expr::value(by))
        .col_expr(classification::Column::ReviewedAt, Expr::value(now))
        .filter(classification::Column::ReportId.eq(report_id))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Ok(None);
    }
    recategorise_districts(&txn, vec![report_id], category).await?;
    let Some(row) = find(&txn, report_id).await? else {
        return Ok(None);
    };
    let event = ReportClassified {
        report_id,
        category: Some(category.to_owned()),
        confidence: 1.0,
        hazards: serde_json::from_value(row.hazards.clone()).unwrap_or_default(),
        important: row.important,
        importance_reason: row.importance_reason.clone(),
        catalogue_version,
        classified_at: now,
    };
    outbox
        .stage(&txn, &Envelope::new(crate::NAME, event))
        .await?;
    txn.commit().await?;
    outbox.committed();
    Ok(Some(row))
}

/// Whether a classification's districts include one of `visible` (`None`: all).
pub fn visible_to(row: &classification::Model, visible: Option<&[String]>) -> bool {
    let Some(visible) = visible else {
        return true;
    };
    let districts: Vec<String> = serde_json::from_value(row.districts.clone()).unwrap_or_default();
    districts.iter().any(|d| visible.contains(d))
}

/// The districts of a classification.
pub fn districts(row: &classification::Model) -> Vec<String> {
    serde_json::from_value(row.districts.clone()).unwrap_or_default()
}
