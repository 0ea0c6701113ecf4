//! `/v1/subscriptions`: a regulator's own subscriptions.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{delete, post},
    Json, Router,
};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson},
};
use uuid::Uuid;

use super::AppState;
use crate::{
    domain::subscription::NewSubscription,
    store::subscriptions::{self, Subscription},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/subscriptions", post(create).get(list))
        .route("/v1/subscriptions/{id}", delete(remove))
}

/// Subscribe (regulator). A district bureau's subscription is scoped to its districts.
#[utoipa::path(post, path = "/v1/subscriptions", request_body = NewSubscription,
    responses((status = 201, body = Subscription), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    person: Person,
    ApiJson(new): ApiJson<NewSubscription>,
) -> Result<(StatusCode, Json<Subscription>), ApiError> {
    person.require(&[Role::Regulator])?;
    let errors = new.validate();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let created = subscriptions::create(
        &state.db,
        &person.id,
        new.channel,
        new.filters,
        person.districts.clone(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The caller's own subscriptions (regulator).
#[utoipa::path(get, path = "/v1/subscriptions", responses((status = 200, body = Vec<Subscription>)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
) -> Result<Json<Vec<Subscription>>, ApiError> {
    person.require(&[Role::Regulator])?;
    Ok(Json(subscriptions::of_owner(&state.db, &person.id).await?))
}

/// Delete one of the caller's subscriptions; anyone else's is 404.
#[utoipa::path(delete, path = "/v1/subscriptions/{id}", responses((status = 204), (status = 404)),
    security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    person.require(&[Role::Regulator])?;
    if subscriptions::delete(&state.db, &person.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
