//! `GET /v1/signals`: the regulator's queue; a district bureau sees its districts only.

use axum::{
    extract::{Path, State},
    routing::get,
    Json, Router,
};
use chrono::{DateTime, FixedOffset, Utc};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiQuery, FieldError, Page, PageQuery, Text},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    views::{SignalDetail, SignalView},
    AppState,
};
use crate::store::{
    entities::signal,
    signals::{self, SignalFilter},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/signals", get(list))
        .route("/v1/signals/{id}", get(show))
}

/// Filters of the queue.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `open`, `escalated`, `dismissed`, `merged`.
    pub status: Option<String>,
    pub category: Option<String>,
    /// A GB/T 2260 code.
    pub district: Option<String>,
    /// `duplicates`, `surge`, `single_report`, `manual`.
    pub origin: Option<String>,
    pub important: Option<bool>,
    /// Last seen at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// Last seen before.
    pub to: Option<DateTime<FixedOffset>>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

const STATUSES: [&str; 4] = ["open", "escalated", "dismissed", "merged"];
const ORIGINS: [&str; 4] = ["duplicates", "surge", "single_report", "manual"];

impl ListQuery {
    fn filter(&self, person: &Person) -> Result<SignalFilter, ApiError> {
        let mut errors = Vec::new();
        let mut check = |field: &str, value: &Option<String>, allowed: &[&str]| {
            if value.as_deref().is_some_and(|v| !allowed.contains(&v)) {
                errors.push(FieldError::new(
                    field,
                    Text::owned(
                        format!("{field} 须为 {} 之一", allowed.join("、")),
                        format!("{field} must be one of {}", allowed.join(", ")),
                    ),
                ));
            }
        };
        check("status", &self.status, &STATUSES);
        check("origin", &self.origin, &ORIGINS);
        if self
            .district
            .as_deref()
            .is_some_and(|d| !prism_contracts::districts::is_known(d))
        {
            errors.push(FieldError::new(
                "district",
                Text::new(
                    "district 不是已知的行政区划代码",
                    "district is not a known region code",
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Ok(SignalFilter {
            visible: person.districts.clone(),
            status: self.status.clone(),
            category: self.category.clone(),
            district: self.district.clone(),
            origin: self.origin.clone(),
            important: self.important,
            from: self.from.map(|t| t.with_timezone(&Utc)),
            to: self.to.map(|t| t.with_timezone(&Utc)),
        })
    }
}

/// The queue, newest first (regulator).
#[utoipa::path(get, path = "/v1/signals", params(ListQuery),
    responses((status = 200, body = Page<SignalView>), (status = 400), (status = 401), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<SignalView>>, ApiError> {
    person.require(&[Role::Regulator])?;
    let filter = query.filter(&person)?;
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = page.limit()?;
    let before = page.after_id()?;
    let rows = signals::list(&state.db, &filter, before, limit).await?;
    let items: Vec<SignalView> = rows.into_iter().map(Into::into).collect();
    Ok(Json(Page::from_overfetch(items, limit, |s| {
        s.id.to_string()
    })))
}

/// One signal with its reports and audit (regulator; a bureau only for its districts).
#[utoipa::path(get, path = "/v1/signals/{id}",
    responses((status = 200, body = SignalDetail), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<Json<SignalDetail>, ApiError> {
    person.require(&[Role::Regulator])?;
    let signal = visible(&state, &person, id).await?;
    let report_ids = signals::report_ids(&state.db, id).await?;
    let history = signals::history(&state.db, id).await?;
    Ok(Json(SignalDetail {
        signal: signal.into(),
        report_ids,
        history: history.into_iter().map(Into::into).collect(),
    }))
}

/// The signal if the person may see it; 404 otherwise, so a bureau cannot probe others.
pub async fn visible(
    state: &AppState,
    person: &Person,
    id: Uuid,
) -> Result<signal::Model, ApiError> {
    let signal = signals::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let districts: Vec<String> =
        serde_json::from_value(signal.districts.clone()).unwrap_or_default();
    // A merged signal has no districts left: only the city bureau still sees it.
    if person.districts.is_some() && !person.sees_any(&districts) {
        return Err(ApiError::NotFound);
    }
    Ok(signal)
}
