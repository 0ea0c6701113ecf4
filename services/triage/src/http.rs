//! Triage's HTTP surface.

use std::sync::Arc;

use axum::{
    extract::{FromRef, Path, State},
    routing::get,
    Json, Router,
};
use prism_platform::{
    auth::{JwtVerifier, Person, Role},
    http::{openapi::BearerAuth, ApiError},
};
use sea_orm::{DatabaseConnection, EntityTrait as _};
use serde::Serialize;
use utoipa::OpenApi;
use uuid::Uuid;

use crate::{domain::catalogue::Catalogue, store::classification};

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub verifier: Arc<JwtVerifier>,
    pub catalogue: Arc<Catalogue>,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// All of triage's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/catalog", get(catalog))
        .route("/v1/classifications/{report_id}", get(classification))
        .with_state(state)
}

/// The key-supervision catalogue in use (admin, regulator).
#[utoipa::path(get, path = "/v1/catalog", responses((status = 200, body = Catalogue)), security(("bearer" = [])))]
pub async fn catalog(
    State(state): State<AppState>,
    person: Person,
) -> Result<Json<Catalogue>, ApiError> {
    person.require(&[Role::Admin, Role::Regulator])?;
    Ok(Json(state.catalogue.as_ref().clone()))
}

/// How triage classified one report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClassificationView {
    pub report_id: Uuid,
    pub category: Option<String>,
    pub confidence: f64,
    #[schema(value_type = Vec<String>)]
    pub hazards: serde_json::Value,
    pub important: bool,
    pub importance_reason: Option<String>,
    pub catalogue_version: i32,
    pub classified_at: chrono::DateTime<chrono::Utc>,
}

/// One report's classification (regulator; a district bureau only for its districts).
#[utoipa::path(get, path = "/v1/classifications/{report_id}",
    responses((status = 200, body = ClassificationView), (status = 404)), security(("bearer" = [])))]
pub async fn classification(
    State(state): State<AppState>,
    person: Person,
    Path(report_id): Path<Uuid>,
) -> Result<Json<ClassificationView>, ApiError> {
    person.require(&[Role::Regulator, Role::Admin])?;
    let row = classification::Entity::find_by_id(report_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let districts: Vec<String> = serde_json::from_value(row.districts.clone()).unwrap_or_default();
    if !person.sees_any(&districts) {
        return Err(ApiError::NotFound);
    }
    Ok(Json(ClassificationView {
        report_id: row.report_id,
        category: row.category,
        confidence: row.confidence,
        hazards: row.hazards,
        important: row.important,
        importance_reason: row.importance_reason,
        catalogue_version: row.catalogue_version,
        classified_at: row.classified_at,
    }))
}

/// Triage's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM triage", description = "The evaluation centre's 研判: classification, importance, alerts."),
    paths(catalog, classification),
    components(schemas(Catalogue, crate::domain::catalogue::Category, ClassificationView)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
