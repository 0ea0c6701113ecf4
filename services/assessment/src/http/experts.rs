//! `/v1/experts`: the expert pool, kept by admins.

use axum::{extract::State, http::StatusCode, routing::get, Json, Router};
use chrono::{DateTime, Utc};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, ApiQuery, Page, PageQuery, Text},
};
use sea_orm::SqlErr;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::{
    domain::expert::NewExpert,
    store::{entities::expert, experts, list_of},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/experts", get(list).post(add))
}

/// An expert of the pool.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExpertView {
    /// The expert's JWT `sub`.
    pub id: String,
    pub name: String,
    pub specialties: Vec<String>,
    pub affiliations: Vec<String>,
    pub active: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<expert::Model> for ExpertView {
    fn from(row: expert::Model) -> Self {
        Self {
            specialties: list_of(&row.specialties),
            affiliations: list_of(&row.affiliations),
            id: row.id,
            name: row.name,
            active: row.active,
            created_by: row.created_by,
            created_at: row.created_at,
        }
    }
}

/// Add an expert to the pool (admin).
#[utoipa::path(post, path = "/v1/experts", request_body = NewExpert,
    responses((status = 201, body = ExpertView), (status = 400), (status = 401), (status = 403),
              (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    person: Person,
    ApiJson(new): ApiJson<NewExpert>,
) -> Result<(StatusCode, Json<ExpertView>), ApiError> {
    person.require(&[Role::Admin])?;
    let valid = new.validate().map_err(ApiError::Validation)?;
    match experts::add(&state.db, valid, &person.id).await {
        Ok(row) => Ok((StatusCode::CREATED, Json(row.into()))),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(ApiError::Conflict {
                code: "expert_exists",
                message: Text::new("该专家编号已存在", "An expert with this id exists"),
            })
        }
        Err(error) => Err(error.into()),
    }
}

/// The pool by id (admin; regulators too, who draw from it).
#[utoipa::path(get, path = "/v1/experts", params(PageQuery),
    responses((status = 200, body = Page<ExpertView>), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<ExpertView>>, ApiError> {
    person.require(&[Role::Admin, Role::Regulator])?;
    let limit = page.limit()?;
    let rows = experts::list(&state.db, page.after()?, limit).await?;
    let page = Page::from_overfetch(rows, limit, |row| row.id.clone());
    Ok(Json(Page {
        items: page.items.into_iter().map(ExpertView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
