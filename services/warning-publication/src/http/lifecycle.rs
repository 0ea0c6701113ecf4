//! Changing a warning after it was drafted: editing a draft, proposing an update of a
//! published warning, and cancelling.
//!
//! Who may do what, and why:
//! - `PUT /v1/warnings/{id}`: a regulator edits a draft. The editor may not approve it.
//! - `POST /v1/warnings/{id}/update`: a regulator proposes a new version of a published
//!   warning, with a reason. It goes out only when a publisher other than the proposer
//!   approves it (`POST /v1/warnings/{id}/approve`), as for a first publication: the public
//!   text is never one person's word.
//! - `POST /v1/warnings/{id}/cancel`: with a reason. A draft may be dropped by a regulator
//!   or a publisher; a published warning only by a publisher, alone, because withdrawing a
//!   wrong warning must not wait for a second person.

use axum::{
    extract::{Path, State},
    routing::{post, put},
    Json, Router,
};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, Text},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{views::WarningView, AppState};
use crate::{
    domain::{drafting::NewWarning, warning::Status},
    store::{
        lifecycle::{self, Proposal},
        warnings::{self, Edit},
    },
};

const REASON_MAX: usize = 1_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/warnings/{id}", put(edit))
        .route("/v1/warnings/{id}/update", post(update))
        .route("/v1/warnings/{id}/cancel", post(cancel))
}

/// A proposed new version and why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// The whole new version, as for a draft.
    pub warning: NewWarning,
    /// Why it changes; shown to the public.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Why a warning is withdrawn.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Shown to the public when the warning had been published.
    #[serde(default)]
    pub reason: Option<String>,
}

fn reason(value: Option<String>) -> Result<String, ApiError> {
    let value = value.map(|v| v.trim().to_owned()).unwrap_or_default();
    if value.is_empty() {
        return Err(ApiError::field(
            "reason",
            Text::new("reason 为必填项", "reason is required"),
        ));
    }
    if value.chars().count() > REASON_MAX {
        return Err(ApiError::field(
            "reason",
            Text::owned(
                format!("reason 不能超过 {REASON_MAX} 个字符"),
                format!("reason must be at most {REASON_MAX} characters"),
            ),
        ));
    }
    Ok(value)
}

/// Edit a draft (regulator). Only drafts are edited; a published warning is updated.
#[utoipa::path(put, path = "/v1/warnings/{id}", request_body = NewWarning,
    responses((status = 200, body = WarningView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(new): ApiJson<NewWarning>,
) -> Result<Json<WarningView>, ApiError> {
    person.require(&[Role::Regulator])?;
    let draft = new.validate().map_err(ApiError::Validation)?;
    match warnings::edit(&state.db, id, draft, &person.id).await? {
        Edit::Edited(row) => Ok(Json(row.into())),
        Edit::NotFound => Err(ApiError::NotFound),
        Edit::NotDraft(row) => Err(ApiError::Conflict {
            code: "not_a_draft",
            message: Text::owned(
                format!(
                    "该预警当前状态为 {}，只能编辑草稿（已发布的预警请用更新）",
                    row.status
                ),
                format!(
                    "this warning is {}: only drafts are edited (update a published one)",
                    row.status
                ),
            ),
        }),
    }
}

/// Propose a new version of a published warning (regulator); a publisher other than the
/// proposer publishes it by approving.
#[utoipa::path(post, path = "/v1/warnings/{id}/update", request_body = UpdateRequest,
    responses((status = 202, body = WarningView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<UpdateRequest>,
) -> Result<(axum::http::StatusCode, Json<WarningView>), ApiError> {
    person.require(&[Role::Regulator])?;
    let reason = reason(request.reason);
    let draft = request.warning.validate().map_err(|errors| {
        ApiError::Validation(
            errors
                .into_iter()
                .map(|mut e| {
                    e.field = format!("warning.{}", e.field);
                    e
                })
                .collect(),
        )
    });
    let (reason, draft) = match (reason, draft) {
        (Ok(reason), Ok(draft)) => (reason, draft),
        (Err(ApiError::Validation(mut a)), Err(ApiError::Validation(b))) => {
            a.extend(b);
            return Err(ApiError::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    match lifecycle::propose_update(&state.db, id, &draft, &reason, &person.id).await? {
        Proposal::Proposed(row) => Ok((axum::http::StatusCode::ACCEPTED, Json(row.into()))),
        Proposal::NotFound => Err(ApiError::NotFound),
        Proposal::NotPublished(row) => Err(ApiError::Conflict {
            code: "not_published",
            message: Text::owned(
                format!("该预警当前状态为 {}，只能更新已发布的预警", row.status),
                format!(
                    "this warning is {}: only a published warning is updated",
                    row.status
                ),
            ),
        }),
    }
}

/// Withdraw a warning, with a reason (see the module's rules).
#[utoipa::path(post, path = "/v1/warnings/{id}/cancel", request_body = CancelRequest,
    responses((status = 200, body = WarningView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
    ApiJson(request): ApiJson<CancelRequest>,
) -> Result<Json<WarningView>, ApiError> {
    person.require(&[Role::Regulator, Role::Publisher])?;
    let reason = reason(request.reason)?;
    let row = warnings::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let allowed = if row.status == Status::Draft.as_str() {
        true
    } else if row.status == Status::Published.as_str() {
        person.has(Role::Publisher)
    } else {
        return Err(ApiError::Conflict {
            code: "already_cancelled",
            message: Text::new("该预警已撤销", "this warning is already cancelled"),
        });
    };
    if !allowed {
        return Err(ApiError::Forbidden);
    }
    match lifecycle::cancel(&state.db, &state.outbox, id, &row, &reason, &person.id).await? {
        Some(row) => {
            state.cache.invalidate();
            metrics::counter!("warnings_cancelled_total").increment(1);
            Ok(Json(row.into()))
        }
        None => Err(ApiError::Conflict {
            code: "changed_meanwhile",
            message: Text::new(
                "该预警刚被他人修改，请刷新后重试",
                "this warning changed meanwhile; reload and try again",
            ),
        }),
    }
}
