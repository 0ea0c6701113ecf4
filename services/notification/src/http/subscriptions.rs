//! `/v1/subscriptions`: a regulator's own subscriptions.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{delete, post},
    Json, Router,
};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, FieldError, Text},
};
use uuid::Uuid;

use super::AppState;
use crate::{
    domain::subscription::{Channel, NewSubscription},
    store::subscriptions::{self, Subscription},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/subscriptions", post(create).get(list))
        .route("/v1/subscriptions/{id}", delete(remove))
}

/// Subscribe (regulator), or subscribe a district bureau (admin, with `bureau`). A district
/// bureau's subscription is scoped to its districts. Webhook targets on private, loopback,
/// link-local or metadata addresses are refused unless configuration allows them.
#[utoipa::path(post, path = "/v1/subscriptions", request_body = NewSubscription,
    responses((status = 201, body = Subscription), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    person: Person,
    ApiJson(new): ApiJson<NewSubscription>,
) -> Result<(StatusCode, Json<Subscription>), ApiError> {
    person.require(&[Role::Regulator, Role::Admin])?;
    if new.bureau.is_some() {
        person.require(&[Role::Admin])?;
    } else {
        person.require(&[Role::Regulator])?;
    }
    let mut errors = new.validate();
    if let (true, Channel::Webhook { url, .. }) = (errors.is_empty(), &new.channel) {
        if let Err(refused) = state.webhooks.check(url).await {
            errors.push(FieldError::new(
                "channel.url",
                Text::owned(
                    format!("不允许的回调地址：{refused}"),
                    format!("webhook target refused: {refused}"),
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (owner, scope) = match new.bureau {
        Some(bureau) => (bureau.subscriber, Some(bureau.districts)),
        None => (person.id.clone(), person.districts.clone()),
    };
    let created = subscriptions::create(&state.db, &owner, new.channel, new.filters, scope).await?;
    Ok((StatusCode::CREATED, Json(created.redacted())))
}

/// The caller's own subscriptions (regulator); every subscription (admin).
#[utoipa::path(get, path = "/v1/subscriptions", responses((status = 200, body = Vec<Subscription>)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
) -> Result<Json<Vec<Subscription>>, ApiError> {
    person.require(&[Role::Regulator, Role::Admin])?;
    if person.has(Role::Admin) {
        let all = subscriptions::all(&state.db).await?;
        return Ok(Json(all.into_iter().map(Subscription::redacted).collect()));
    }
    let own = subscriptions::of_owner(&state.db, &person.id).await?;
    Ok(Json(own.into_iter().map(Subscription::redacted).collect()))
}

/// Delete one of the caller's subscriptions (regulator; anyone else's is 404), or any
/// subscription (admin).
#[utoipa::path(delete, path = "/v1/subscriptions/{id}", responses((status = 204), (status = 404)),
    security(("bearer" = [])))]
pub async fn remove(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    person.require(&[Role::Regulator, Role::Admin])?;
    let owner = (!person.has(Role::Admin)).then_some(person.id.as_str());
    if subscriptions::delete(&state.db, owner, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
