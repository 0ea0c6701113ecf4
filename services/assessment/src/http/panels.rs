//! `/v1/cases/{id}/assignment`: a regulator draws a case's expert panel at random
//! ("double random"); whoever sees the case sees its panel and the seed that drew it.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::post,
    Json, Router,
};
use chrono::{DateTime, Utc};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, FieldError, Text},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{visibility::visible_case, AppState};
use crate::{
    domain::{
        case::enterprises,
        panel::{MAX_PANEL, MIN_PANEL},
    },
    store::{
        entities::assignment,
        panels::{self, Draw, DrawError},
    },
};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/cases/{id}/assignment", post(assign).get(show))
}

/// What a regulator asks of the draw.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawRequest {
    /// How many experts, 2 to 9; 2 when left out.
    #[serde(default)]
    #[schema(value_type = Option<u64>)]
    pub size: Option<serde_json::Value>,
    /// Enterprises involved, by name, beyond those the case already names: experts
    /// affiliated with them are not drawn.
    #[serde(default)]
    pub enterprises: Vec<String>,
}

/// A case's panel.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PanelView {
    pub case_id: Uuid,
    /// The experts' ids in draw order.
    pub experts: Vec<String>,
    /// The draw's seed (a decimal string: it may exceed what JavaScript numbers hold), so
    /// that anyone can replay the draw against the pool.
    pub seed: Option<String>,
    pub assigned_by: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
}

impl PanelView {
    fn of(case_id: Uuid, rows: &[assignment::Model]) -> Self {
        Self {
            case_id,
            experts: rows.iter().map(|r| r.expert_id.clone()).collect(),
            seed: rows.first().map(|r| panels::seed_of(r).to_string()),
            assigned_by: rows.first().map(|r| r.assigned_by.clone()),
            assigned_at: rows.first().map(|r| r.assigned_at),
        }
    }
}

/// Draw the case's panel (regulator): experts whose specialties include the case's
/// category, none affiliated with the reporting station or an involved enterprise.
#[utoipa::path(post, path = "/v1/cases/{id}/assignment", request_body = DrawRequest,
    responses((status = 201, body = PanelView), (status = 400), (status = 401), (status = 403),
              (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn assign(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<DrawRequest>,
) -> Result<(StatusCode, Json<PanelView>), ApiError> {
    person.require(&[Role::Regulator])?;
    let case = visible_case(&state, &person, id).await?;
    let mut errors = Vec::new();
    let size = match &request.size {
        None => Some(MIN_PANEL),
        Some(value) => value
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| (MIN_PANEL..=MAX_PANEL).contains(n)),
    };
    if size.is_none() {
        errors.push(FieldError::new(
            "size",
            Text::owned(
                format!("专家组人数须为 {MIN_PANEL} 至 {MAX_PANEL}"),
                format!("a panel has {MIN_PANEL} to {MAX_PANEL} experts"),
            ),
        ));
    }
    let enterprises = enterprises(request.enterprises, &mut errors);
    let Some(size) = size.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let draw = Draw {
        size,
        enterprises,
        seed: state.assignment_seed.unwrap_or_else(rand::random),
    };
    match panels::assign(&state.db, &state.outbox, &case, draw, &person.id).await {
        Ok(rows) => {
            metrics::counter!("assessment_panels_drawn_total").increment(1);
            Ok((StatusCode::CREATED, Json(PanelView::of(case.id, &rows))))
        }
        Err(DrawError::AlreadyAssigned) => Err(ApiError::Conflict {
            code: "panel_exists",
            message: Text::new("该案件已有专家组", "The case already has a panel"),
        }),
        Err(DrawError::Shortfall(short)) => Err(ApiError::Conflict {
            code: "not_enough_experts",
            message: Text::owned(
                format!(
                    "符合条件且无利害关系的专家只有 {} 名，需要 {} 名",
                    short.qualified, short.wanted
                ),
                format!(
                    "Only {} qualified, independent experts; {} needed",
                    short.qualified, short.wanted
                ),
            ),
        }),
        Err(DrawError::Db(error)) => Err(error.into()),
    }
}

/// The case's panel (empty before the draw).
#[utoipa::path(get, path = "/v1/cases/{id}/assignment",
    responses((status = 200, body = PanelView), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<Json<PanelView>, ApiError> {
    let case = visible_case(&state, &person, id).await?;
    let rows = panels::of(&state.db, case.id).await?;
    Ok(Json(PanelView::of(case.id, &rows)))
}
