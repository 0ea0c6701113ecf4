//! `/v1/stations`: admins register stations and manage their API keys.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{delete, get, post},
    Json, Router,
};
use prism_platform::{
    auth::Role,
    http::{ApiError, ApiJson, ApiQuery, Page, PageQuery, Text},
};
use uuid::Uuid;

use super::{
    caller::Caller,
    views::{IssuedKey, StationView},
    AppState,
};
use crate::{
    domain::station::NewStation,
    store::stations::{self, RegisterError},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/stations", post(register).get(list))
        .route("/v1/stations/{id}", get(show))
        .route("/v1/stations/{id}/keys", post(issue_key))
        .route("/v1/stations/{id}/keys/{key_id}", delete(revoke_key))
        .route(
            "/v1/stations/{id}/compliance",
            get(super::compliance::compliance),
        )
}

/// Register a station (admin).
#[utoipa::path(post, path = "/v1/stations", request_body = NewStation,
    responses((status = 201, body = StationView), (status = 409), (status = 422)), security(("bearer" = [])))]
pub async fn register(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewStation>,
) -> Result<(StatusCode, Json<StationView>), ApiError> {
    caller.person(&[Role::Admin])?;
    let errors = new.validate();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    match stations::register(&state.db, &new).await {
        Ok(row) => Ok((StatusCode::CREATED, Json(row.into()))),
        Err(RegisterError::CodeTaken) => Err(ApiError::Conflict {
            code: "station_code_taken",
            message: Text::owned(
                format!("监测站编号 {} 已存在", new.code),
                format!("a station with code {} exists", new.code),
            ),
        }),
        Err(RegisterError::Db(error)) => Err(error.into()),
    }
}

/// List stations (admin, regulator).
#[utoipa::path(get, path = "/v1/stations", params(PageQuery),
    responses((status = 200, body = Page<StationView>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<StationView>>, ApiError> {
    caller.person(&[Role::Admin, Role::Regulator])?;
    let limit = page.limit()?;
    let rows = stations::list(&state.db, page.after()?, limit).await?;
    let page = Page::from_overfetch(rows, limit, |row| row.code.clone());
    Ok(Json(Page {
        items: page.items.into_iter().map(StationView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One station (admin, regulator, or the station itself).
#[utoipa::path(get, path = "/v1/stations/{id}", responses((status = 200, body = StationView), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<StationView>, ApiError> {
    let allowed = match &caller {
        Caller::Station(station) => station.id == id,
        Caller::Person(person) => {
            person.require(&[Role::Admin, Role::Regulator])?;
            true
        }
    };
    if !allowed {
        return Err(ApiError::NotFound);
    }
    let row = stations::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(row.into()))
}

/// Issue an API key (admin); the key is in this answer only.
#[utoipa::path(post, path = "/v1/stations/{id}/keys", responses((status = 201, body = IssuedKey), (status = 404)),
    security(("bearer" = [])))]
pub async fn issue_key(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<IssuedKey>), ApiError> {
    caller.person(&[Role::Admin])?;
    stations::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let (key, row) = stations::issue_key(&state.db, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedKey {
            key_id: key.key_id,
            station_id: id,
            api_key: key.secret,
            created_at: row.created_at,
        }),
    ))
}

/// Revoke an API key (admin): refused at once by this instance of intake, and by every
/// other within `key_cache::TRUSTED_FOR` (5 s).
#[utoipa::path(delete, path = "/v1/stations/{id}/keys/{key_id}", responses((status = 204), (status = 404)),
    security(("bearer" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, key_id)): Path<(Uuid, String)>,
) -> Result<StatusCode, ApiError> {
    caller.person(&[Role::Admin])?;
    if stations::revoke_key(&state.db, id, &key_id).await? {
        state.keys.forget_all();
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
