//! Drafting and approval: regulators draft warnings, publishers approve them, and nobody
//! approves their own draft. Approval is what publishes.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, ApiQuery, Page, PageQuery, Text},
};
use uuid::Uuid;

use super::{views::WarningView, AppState};
use crate::{
    domain::drafting::NewWarning,
    store::{
        lifecycle::{self, Approval},
        warnings,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/warnings", post(create))
        .route("/v1/drafts", get(list))
        .route("/v1/warnings/{id}/approve", post(approve))
}

/// Draft a warning (regulator). The public sees nothing until a publisher approves it.
#[utoipa::path(post, path = "/v1/warnings", request_body = NewWarning,
    responses((status = 201, body = WarningView), (status = 400), (status = 401), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    person: Person,
    ApiJson(new): ApiJson<NewWarning>,
) -> Result<(StatusCode, Json<WarningView>), ApiError> {
    person.require(&[Role::Regulator])?;
    let draft = new.validate().map_err(ApiError::Validation)?;
    let row = warnings::create(&state.db, &state.outbox, draft, &person.id).await?;
    metrics::counter!("warning_drafts_total", "source" => "regulator").increment(1);
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Drafts awaiting approval, newest first (regulator, publisher; a district bureau sees
/// drafts involving its districts or the whole city).
#[utoipa::path(get, path = "/v1/drafts", params(PageQuery),
    responses((status = 200, body = Page<WarningView>), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<WarningView>>, ApiError> {
    person.require(&[Role::Regulator, Role::Publisher])?;
    let limit = page.limit()?;
    let before = page.after_id()?;
    let rows = warnings::list_drafts(&state.db, person.districts.as_deref(), before, limit).await?;
    let page = Page::from_overfetch(rows, limit, |row| row.id.to_string());
    Ok(Json(Page {
        items: page.items.into_iter().map(WarningView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Approve what awaits a publisher (never its drafter, editor or proposer): a draft is
/// published as version 1 (`WarningPublished`); a proposed update of a published warning
/// becomes its next version (`WarningUpdated`).
#[utoipa::path(post, path = "/v1/warnings/{id}/approve",
    responses((status = 200, body = WarningView), (status = 401), (status = 403), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn approve(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<Json<WarningView>, ApiError> {
    person.require(&[Role::Publisher])?;
    match lifecycle::approve(&state.db, &state.outbox, id, &person.id).await? {
        Approval::Published(row) => {
            state.cache.invalidate();
            metrics::counter!("warnings_published_total", "type" => row.warning_type.clone())
                .increment(1);
            Ok(Json(row.into()))
        }
        Approval::Updated(row) => {
            state.cache.invalidate();
            metrics::counter!("warnings_updated_total").increment(1);
            Ok(Json(row.into()))
        }
        Approval::NotFound => Err(ApiError::NotFound),
        // Four eyes: whoever drafted a warning (or decided it) may not also release it.
        Approval::OwnDraft => Err(ApiError::Forbidden),
        Approval::NotDraft(row) => Err(ApiError::Conflict {
            code: "not_a_draft",
            message: Text::owned(
                format!(
                    "该预警当前状态为 {}，既不是草稿也没有待批准的更新",
                    row.status
                ),
                format!(
                    "this warning is {}: neither a draft nor awaiting an update's approval",
                    row.status
                ),
            ),
        }),
    }
}
