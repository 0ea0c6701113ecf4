//! `/v1/cases/{id}/decisions`: regulators record decisions; each change is a new version.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::post,
    Json, Router,
};
use chrono::Utc;
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, Text},
};
use sea_orm::SqlErr;
use uuid::Uuid;

use super::{views::DecisionView, visibility::visible_case, AppState};
use crate::{
    domain::decision::NewDecision,
    store::{decisions, scores},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/cases/{id}/decisions", post(record).get(list))
}

/// Record a decision (regulator): the next version of the case's decision. With `warning`,
/// warning-publication drafts the public warning from it.
#[utoipa::path(post, path = "/v1/cases/{id}/decisions", request_body = NewDecision,
    responses((status = 201, body = DecisionView), (status = 400), (status = 401), (status = 403), (status = 404),
              (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(new): ApiJson<NewDecision>,
) -> Result<(StatusCode, Json<DecisionView>), ApiError> {
    person.require(&[Role::Regulator])?;
    let case = visible_case(&state, &person, id).await?;
    // The experts' scores give the computed level; a decision on another level needs a
    // written reason. Before any score the regulator's level stands alone.
    let computed = scores::summary(&state.db, case.id).await?.level;
    let valid = new
        .validate(computed, Utc::now())
        .map_err(ApiError::Validation)?;
    let level = valid.risk_level;
    match decisions::record(&state.db, &state.outbox, &case, valid, &person.id).await {
        Ok(row) => {
            metrics::counter!("assessment_decisions_recorded_total", "risk_level" => level.as_str()).increment(1);
            Ok((StatusCode::CREATED, Json(row.into())))
        }
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(ApiError::Conflict {
                code: "decision_conflict",
                message: Text::new(
                    "另一项决定刚刚记录，请刷新后重试",
                    "Another decision was just recorded; reload and try again",
                ),
            })
        }
        Err(error) => Err(error.into()),
    }
}

/// Every version of a case's decision, oldest first.
#[utoipa::path(get, path = "/v1/cases/{id}/decisions",
    responses((status = 200, body = Vec<DecisionView>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<DecisionView>>, ApiError> {
    let case = visible_case(&state, &person, id).await?;
    let rows = decisions::of(&state.db, case.id).await?;
    Ok(Json(rows.into_iter().map(DecisionView::from).collect()))
}
