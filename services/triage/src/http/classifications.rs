//! `/v1/classifications` and `/v1/unclassified`: how triage classified a report, the queue
//! of reports it could not classify, and classifying one by hand.

use axum::{
    extract::{Path, State},
    routing::{get, post},
    Json, Router,
};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, ApiQuery, Page, PageQuery, Text},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{views::ClassificationView, AppState};
use crate::store::classifications;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/classifications/{report_id}", get(show))
        .route(
            "/v1/classifications/{report_id}/reclassify",
            post(reclassify),
        )
        .route("/v1/unclassified", get(unclassified))
}

/// One report's classification (regulator, admin; a district bureau only for its districts).
#[utoipa::path(get, path = "/v1/classifications/{report_id}",
    responses((status = 200, body = ClassificationView), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    person: Person,
    Path(report_id): Path<Uuid>,
) -> Result<Json<ClassificationView>, ApiError> {
    person.require(&[Role::Regulator, Role::Admin])?;
    let row = classifications::find(&state.db, report_id)
        .await?
        .filter(|row| classifications::visible_to(row, person.districts.as_deref()))
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.into()))
}

/// Reports triage could not classify with enough confidence, oldest first (regulator).
#[utoipa::path(get, path = "/v1/unclassified", params(PageQuery),
    responses((status = 200, body = Page<ClassificationView>), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn unclassified(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<ClassificationView>>, ApiError> {
    person.require(&[Role::Regulator])?;
    let limit = page.limit()?;
    let after = page.after_id()?;
    let rows =
        classifications::unclassified(&state.db, person.districts.as_deref(), after, limit).await?;
    let items: Vec<ClassificationView> = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::from_overfetch(items, limit, |v| {
        v.report_id.to_string()
    })))
}

/// A person's category for a report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reclassification {
    /// A category code of the catalogue in force.
    pub category: String,
}

/// Classifies a report by hand (regulator): it leaves the unclassified queue, joins a
/// signal, and `ReportClassified` is announced again with confidence 1.
#[utoipa::path(post, path = "/v1/classifications/{report_id}/reclassify", request_body = Reclassification,
    responses((status = 200, body = ClassificationView), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn reclassify(
    State(state): State<AppState>,
    person: Person,
    Path(report_id): Path<Uuid>,
    ApiJson(body): ApiJson<Reclassification>,
) -> Result<Json<ClassificationView>, ApiError> {
    person.require(&[Role::Regulator])?;
    classifications::find(&state.db, report_id)
        .await?
        .filter(|row| classifications::visible_to(row, person.districts.as_deref()))
        .ok_or(ApiError::NotFound)?;
    let classifier = state.catalogue.get();
    check_category(&classifier.catalogue, &body.category)?;
    classifications::reclassify(
        &state.db,
        &state.outbox,
        report_id,
        &body.category,
        classifier.catalogue.version,
        &person.id,
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let row = classifications::find(&state.db, report_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.into()))
}

/// 422 unless `category` is in the catalogue in force.
pub fn check_category(
    catalogue: &crate::domain::catalogue::Catalogue,
    category: &str,
) -> Result<(), ApiError> {
    if catalogue.has(category) {
        Ok(())
    } else {
        Err(ApiError::field(
            "category",
            Text::owned(
                format!("目录（第 {} 版）中没有类别 {category}", catalogue.version),
                format!(
                    "Category {category} is not in the catalogue (version {})",
                    catalogue.version
                ),
            ),
        ))
    }
}
