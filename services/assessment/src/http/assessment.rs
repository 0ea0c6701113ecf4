//! `/v1/cases/{id}/scores`, `/lab-results` and `/assessment`: experts on the panel score
//! injury scenarios (and change only their own); experts and regulators record lab results;
//! whoever sees the case sees the computed level, the disagreement, the sensitivity and the
//! failed safety indicators side by side.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post, put},
    Json, Router,
};
use chrono::{DateTime, Utc};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    visibility::{panel_case, visible_case},
    AppState,
};
use crate::{
    domain::{lab::NewLabResult, score::NewScore, score::Step, summary::Summary},
    store::{
        entities::{lab_result, score},
        list_of,
        scores::{self, ChangeError},
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/cases/{id}/scores", post(score))
        .route("/v1/cases/{id}/scores/{score_id}", put(change))
        .route("/v1/cases/{id}/lab-results", post(add_lab_result))
        .route("/v1/cases/{id}/assessment", get(show))
}

/// One expert's injury scenario.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub expert_id: String,
    pub injured: String,
    pub hazard: Option<String>,
    pub scenario: String,
    pub steps: Vec<Step>,
    /// The product of the steps' probabilities.
    pub probability: f64,
    pub severity: i32,
    /// `low`, `medium`, `high` or `serious`, from the matrix.
    pub level: String,
    pub rationale: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<score::Model> for ScoreView {
    fn from(row: score::Model) -> Self {
        Self {
            steps: list_of(&row.steps),
            id: row.id,
            case_id: row.case_id,
            expert_id: row.expert_id,
            injured: row.injured,
            hazard: row.hazard,
            scenario: row.scenario,
            probability: row.probability,
            severity: row.severity,
            level: row.level,
            rationale: row.rationale,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// One laboratory result.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LabResultView {
    pub id: Uuid,
    pub case_id: Uuid,
    pub indicator: String,
    pub standard: String,
    pub requirement: String,
    pub measured: String,
    pub passed: bool,
    pub safety: bool,
    pub laboratory: String,
    pub report_ref: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<lab_result::Model> for LabResultView {
    fn from(row: lab_result::Model) -> Self {
        Self {
            id: row.id,
            case_id: row.case_id,
            indicator: row.indicator,
            standard: row.standard,
            requirement: row.requirement,
            measured: row.measured,
            passed: row.passed,
            safety: row.safety,
            laboratory: row.laboratory,
            report_ref: row.report_ref,
            recorded_by: row.recorded_by,
            recorded_at: row.recorded_at,
        }
    }
}

/// Everything the case's level rests on.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssessmentView {
    pub summary: Summary,
    pub scores: Vec<ScoreView>,
    pub lab_results: Vec<LabResultView>,
    /// Safety indicators the sample failed, shown beside the scores: a regulator overriding
    /// a low computed level has them in front of them.
    pub failed_safety_indicators: Vec<LabResultView>,
}

impl AssessmentView {
    /// The view of a case's stored scores and results.
    pub async fn of(state: &AppState, case_id: Uuid) -> Result<Self, ApiError> {
        let rows = scores::of(&state.db, case_id).await?;
        let summary = scores::summarise(&rows);
        let results = scores::lab_results_of(&state.db, case_id).await?;
        let failed = results
            .iter()
            .filter(|r| r.safety && !r.passed)
            .cloned()
            .map(LabResultView::from)
            .collect();
        Ok(Self {
            summary,
            scores: rows.into_iter().map(ScoreView::from).collect(),
            lab_results: results.into_iter().map(LabResultView::from).collect(),
            failed_safety_indicators: failed,
        })
    }
}

/// Score an injury scenario (an expert on the case's panel; anyone else's case is 404).
#[utoipa::path(post, path = "/v1/cases/{id}/scores", request_body = NewScore,
    responses((status = 201, body = ScoreView), (status = 400), (status = 401), (status = 403),
              (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn score(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(new): ApiJson<NewScore>,
) -> Result<(StatusCode, Json<ScoreView>), ApiError> {
    let case = panel_case(&state, &person, id).await?;
    let valid = new.validate().map_err(ApiError::Validation)?;
    let level = valid.level;
    let row = scores::add(&state.db, &state.outbox, &case, &person.id, valid).await?;
    metrics::counter!("assessment_scores_total", "level" => level.as_str()).increment(1);
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Replace one of your own scenarios; another expert's is 403.
#[utoipa::path(put, path = "/v1/cases/{id}/scores/{score_id}", request_body = NewScore,
    responses((status = 200, body = ScoreView), (status = 400), (status = 401), (status = 403),
              (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn change(
    State(state): State<AppState>,
    person: Person,
    Path((id, score_id)): Path<(Uuid, Uuid)>,
    ApiJson(new): ApiJson<NewScore>,
) -> Result<Json<ScoreView>, ApiError> {
    let case = panel_case(&state, &person, id).await?;
    let valid = new.validate().map_err(ApiError::Validation)?;
    match scores::change(&state.db, &state.outbox, &case, score_id, &person.id, valid).await {
        Ok(row) => Ok(Json(row.into())),
        Err(ChangeError::NotFound) => Err(ApiError::NotFound),
        Err(ChangeError::NotYours) => Err(ApiError::Forbidden),
        Err(ChangeError::Db(error)) => Err(error.into()),
    }
}

/// Record a laboratory result (an expert on the panel, or a regulator who sees the case).
#[utoipa::path(post, path = "/v1/cases/{id}/lab-results", request_body = NewLabResult,
    responses((status = 201, body = LabResultView), (status = 400), (status = 401), (status = 403),
              (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn add_lab_result(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(new): ApiJson<NewLabResult>,
) -> Result<(StatusCode, Json<LabResultView>), ApiError> {
    person.require(&[Role::Regulator, Role::Expert])?;
    let case = visible_case(&state, &person, id).await?;
    let valid = new.validate().map_err(ApiError::Validation)?;
    let row = scores::add_lab_result(&state.db, &state.outbox, &case, &person.id, valid).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// The case's assessment: computed level, each expert's level, disagreement, sensitivity,
/// every scenario, every lab result and the failed safety indicators.
#[utoipa::path(get, path = "/v1/cases/{id}/assessment",
    responses((status = 200, body = AssessmentView), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<Json<AssessmentView>, ApiError> {
    let case = visible_case(&state, &person, id).await?;
    Ok(Json(AssessmentView::of(&state, case.id).await?))
}
