//! `POST /v1/signals/{id}/merge|split|reclassify|escalate|dismiss` (regulator): each action
//! is audited (who, when, what, why) and announced.

use axum::{
    extract::{Path, State},
    routing::post,
    Json, Router,
};
use prism_contracts::RiskLevel;
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, Text},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{classifications::check_category, signals::visible, views::SignalView, AppState};
use crate::store::signals::actions::{self, ActionError, Actor, Problem};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/signals/{id}/merge", post(merge))
        .route("/v1/signals/{id}/split", post(split))
        .route("/v1/signals/{id}/reclassify", post(reclassify))
        .route("/v1/signals/{id}/escalate", post(escalate))
        .route("/v1/signals/{id}/dismiss", post(dismiss))
}

const MAX_REASON_CHARS: usize = 2000;
const MAX_IDS: usize = 100;

/// Merge other signals into this one.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The signals whose reports move here; they become `merged`.
    pub signal_ids: Vec<Uuid>,
    pub reason: String,
}

/// Move some reports to a new signal.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Split {
    pub report_ids: Vec<Uuid>,
    pub reason: String,
}

/// Give the signal another category.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reclassify {
    pub category: String,
    pub reason: String,
}

/// Send the signal to assessment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalate {
    /// The regulator's view of the risk level, if any: `low`, `medium`, `high`, `serious`.
    pub level: Option<String>,
    pub reason: String,
}

/// Close the signal.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Dismiss {
    pub reason: String,
}

fn reason(reason: &str) -> Result<&str, ApiError> {
    let trimmed = reason.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::field(
            "reason",
            Text::new(
                "reason 须为 1–2000 个字符",
                "reason must be 1–2000 characters",
            ),
        ));
    }
    Ok(trimmed)
}

fn ids(field: &str, ids: &[Uuid]) -> Result<(), ApiError> {
    if ids.is_empty() || ids.len() > MAX_IDS {
        return Err(ApiError::field(
            field,
            Text::owned(
                format!("{field} 须有 1 到 100 项"),
                format!("{field} must have 1 to 100 items"),
            ),
        ));
    }
    Ok(())
}

fn refused(error: ActionError) -> ApiError {
    match error {
        ActionError::NotFound => ApiError::NotFound,
        ActionError::WrongStatus(status) => ApiError::Conflict {
            code: "signal_status",
            message: Text::owned(
                format!("信号当前状态为 {status}，不能执行此操作"),
                format!("The signal is {status}; this action is not possible"),
            ),
        },
        ActionError::Invalid { field, problem } => ApiError::field(
            field,
            match problem {
                Problem::NotInSignal => {
                    Text::new("有报告不属于该信号", "A report is not in this signal")
                }
                Problem::WouldEmpty => Text::new(
                    "不能拆出全部报告，原信号将为空",
                    "Cannot split off every report: the signal would be empty",
                ),
                Problem::SelfMerge => Text::new(
                    "信号不能与自身合并",
                    "A signal cannot be merged into itself",
                ),
                Problem::NotMergeable => Text::new(
                    "要合并的信号不存在或已关闭",
                    "A signal to merge does not exist or is closed",
                ),
            },
        ),
        ActionError::Db(error) => error.into(),
    }
}

/// Merges signals into this one (regulator).
#[utoipa::path(post, path = "/v1/signals/{id}/merge", request_body = Merge,
    responses((status = 200, body = SignalView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn merge(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Merge>,
) -> Result<Json<SignalView>, ApiError> {
    person.require(&[Role::Regulator])?;
    let why = reason(&body.reason)?;
    ids("signal_ids", &body.signal_ids)?;
    visible(&state, &person, id).await?;
    for source in &body.signal_ids {
        visible(&state, &person, *source).await.map_err(|_| {
            refused(ActionError::Invalid {
                field: "signal_ids",
                problem: Problem::NotMergeable,
            })
        })?;
    }
    let actor = Actor {
        by: &person.id,
        reason: why,
    };
    let signal = actions::merge(&state.db, &state.outbox, id, &body.signal_ids, actor)
        .await
        .map_err(refused)?;
    Ok(Json(signal.into()))
}

/// Moves reports to a new signal (regulator); answers with the new signal.
#[utoipa::path(post, path = "/v1/signals/{id}/split", request_body = Split,
    responses((status = 200, body = SignalView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn split(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Split>,
) -> Result<Json<SignalView>, ApiError> {
    person.require(&[Role::Regulator])?;
    let why = reason(&body.reason)?;
    ids("report_ids", &body.report_ids)?;
    visible(&state, &person, id).await?;
    let actor = Actor {
        by: &person.id,
        reason: why,
    };
    let signal = actions::split(&state.db, &state.outbox, id, &body.report_ids, actor)
        .await
        .map_err(refused)?;
    Ok(Json(signal.into()))
}

/// Gives the signal and its reports another category (regulator).
#[utoipa::path(post, path = "/v1/signals/{id}/reclassify", request_body = Reclassify,
    responses((status = 200, body = SignalView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn reclassify(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Reclassify>,
) -> Result<Json<SignalView>, ApiError> {
    person.require(&[Role::Regulator])?;
    let why = reason(&body.reason)?;
    check_category(&state.catalogue.get().catalogue, &body.category)?;
    visible(&state, &person, id).await?;
    let actor = Actor {
        by: &person.id,
        reason: why,
    };
    let signal = actions::reclassify(&state.db, &state.outbox, id, &body.category, actor)
        .await
        .map_err(refused)?;
    Ok(Json(signal.into()))
}

/// Escalates the signal to assessment (regulator).
#[utoipa::path(post, path = "/v1/signals/{id}/escalate", request_body = Escalate,
    responses((status = 200, body = SignalView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn escalate(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Escalate>,
) -> Result<Json<SignalView>, ApiError> {
    person.require(&[Role::Regulator])?;
    let why = reason(&body.reason)?;
    let level = match body.level.as_deref() {
        None => None,
        Some(level) => Some(RiskLevel::parse(level).ok_or_else(|| {
            ApiError::field(
                "level",
                Text::new(
                    "level 须为 low、medium、high 或 serious",
                    "level must be low, medium, high or serious",
                ),
            )
        })?),
    };
    visible(&state, &person, id).await?;
    let actor = Actor {
        by: &person.id,
        reason: why,
    };
    let signal = actions::escalate(&state.db, &state.outbox, id, level, actor)
        .await
        .map_err(refused)?;
    Ok(Json(signal.into()))
}

/// Dismisses the signal with a reason (regulator).
#[utoipa::path(post, path = "/v1/signals/{id}/dismiss", request_body = Dismiss,
    responses((status = 200, body = SignalView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn dismiss(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<Dismiss>,
) -> Result<Json<SignalView>, ApiError> {
    person.require(&[Role::Regulator])?;
    let why = reason(&body.reason)?;
    visible(&state, &person, id).await?;
    let actor = Actor {
        by: &person.id,
        reason: why,
    };
    let signal = actions::dismiss(&state.db, &state.outbox, id, actor)
        .await
        .map_err(refused)?;
    Ok(Json(signal.into()))
}
