//! `/v1/catalog`: the key-supervision catalogue, versioned; admins replace it.

use axum::{extract::State, routing::get, Json, Router};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, ApiQuery, Text},
};
use serde::Deserialize;

use super::AppState;
use crate::{
    domain::{
        catalogue::{Catalogue, NewCatalogue},
        classifier::Classifier,
    },
    store::catalogue::{self, ReplaceError},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/catalog", get(show).put(replace))
}

/// Which version to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A past version; the one in force when absent.
    pub version: Option<u32>,
}

/// The catalogue in force, or a past version (admin, regulator).
#[utoipa::path(get, path = "/v1/catalog", params(VersionQuery),
    responses((status = 200, body = Catalogue), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> Result<Json<Catalogue>, ApiError> {
    person.require(&[Role::Admin, Role::Regulator])?;
    let current = state.catalogue.get();
    match query.version {
        None => Ok(Json(current.catalogue.clone())),
        Some(v) if v == current.catalogue.version => Ok(Json(current.catalogue.clone())),
        Some(v) => catalogue::version(&state.db, v)
            .await?
            .map(Json)
            .ok_or(ApiError::NotFound),
    }
}

/// Replaces the catalogue (admin): validated, refused if a category in use would vanish,
/// stored as the next version, in force at once and announced as `CatalogueUpdated`.
#[utoipa::path(put, path = "/v1/catalog", request_body = NewCatalogue,
    responses((status = 200, body = Catalogue), (status = 400), (status = 401), (status = 403),
              (status = 409, description = "categories in use would be orphaned"), (status = 422)),
    security(("bearer" = [])))]
pub async fn replace(
    State(state): State<AppState>,
    person: Person,
    ApiJson(new): ApiJson<NewCatalogue>,
) -> Result<Json<Catalogue>, ApiError> {
    person.require(&[Role::Admin])?;
    let errors = new.validate();
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let stored = match catalogue::replace(&state.db, &state.outbox, new, &person.id).await {
        Ok(stored) => stored,
        Err(ReplaceError::Orphans(codes)) => {
            let codes = codes.join(", ");
            return Err(ApiError::Conflict {
                code: "catalogue_orphans",
                message: Text::owned(
                    format!("以下类别仍被分类结果或信号使用，不能删除：{codes}"),
                    format!("These categories are used by classifications or signals and cannot be removed: {codes}"),
                ),
            });
        }
        Err(ReplaceError::Raced) => {
            return Err(ApiError::Conflict {
                code: "catalogue_raced",
                message: Text::new(
                    "目录刚被他人更新，请重新读取后再试",
                    "The catalogue was just updated by someone else; read it and try again",
                ),
            })
        }
        Err(ReplaceError::Db(error)) => return Err(error.into()),
    };
    // Building the segmenter takes a moment; requests keep the old version meanwhile.
    let classifier = tokio::task::spawn_blocking({
        let stored = stored.clone();
        move || Classifier::new(stored)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    state.catalogue.replace(classifier);
    metrics::counter!("triage_catalogue_updates_total").increment(1);
    Ok(Json(stored))
}
