//! `/v1/cases`: regulators and experts read cases; regulators open them by hand.

use axum::{
    extract::{Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiJson, ApiQuery, FieldError, Page, PageQuery, Text},
};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    assessment::AssessmentView,
    views::CaseView,
    visibility::{oversees, visible_case, READERS},
    AppState,
};
use crate::{
    domain::{
        case::{NewCase, Status},
        district,
    },
    store::{
        cases::{self, CaseFilter, Opening},
        panels,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/cases", get(list).post(open))
        .route("/v1/cases/{id}", get(show))
}

/// Filters of the case list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `open` or `decided`.
    pub status: Option<String>,
    /// GB/T 2260 code the case involves.
    pub district: Option<String>,
    /// Catalogue category code.
    pub category: Option<String>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl ListQuery {
    fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if self
            .status
            .as_deref()
            .is_some_and(|s| Status::parse(s).is_none())
        {
            errors.push(FieldError::new(
                "status",
                Text::new(
                    "status 须为 open 或 decided",
                    "status must be open or decided",
                ),
            ));
        }
        if self
            .district
            .as_deref()
            .is_some_and(|d| !district::is_known(d))
        {
            errors.push(FieldError::new(
                "district",
                Text::new("未知的行政区划代码", "unknown district code"),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// List cases, newest first: a regulator all (a district bureau its districts); an expert
/// the cases assigned to them.
#[utoipa::path(get, path = "/v1/cases", params(ListQuery),
    responses((status = 200, body = Page<CaseView>), (status = 401), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<CaseView>>, ApiError> {
    person.require(&READERS)?;
    query.validate()?;
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = page.limit()?;
    let before = page.after_id()?;
    // Regulators see their districts' cases; an expert (only) the cases on their panel.
    let (visible_districts, assigned_to) = if oversees(&person) {
        (person.districts.clone(), None)
    } else {
        (None, Some(person.id.clone()))
    };
    let filter = CaseFilter {
        visible_districts,
        status: query.status,
        district: query.district,
        category: query.category,
        assigned_to,
    };
    let rows = cases::list(&state.db, &filter, before, limit).await?;
    let page = Page::from_overfetch(rows, limit, |row| row.id.to_string());
    Ok(Json(Page {
        items: page.items.into_iter().map(CaseView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One case with its panel and assessment (scores, computed level, failed safety
/// indicators); a case the caller may not see is 404.
#[utoipa::path(get, path = "/v1/cases/{id}",
    responses((status = 200, body = CaseView), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<Json<CaseView>, ApiError> {
    let case = visible_case(&state, &person, id).await?;
    let panel = panels::of(&state.db, case.id).await?;
    let assessment = AssessmentView::of(&state, case.id).await?;
    let mut view = CaseView::from(case);
    view.panel = Some(panel.into_iter().map(|row| row.expert_id).collect());
    view.assessment = Some(assessment);
    Ok(Json(view))
}

/// Open a case by hand (regulator; a district bureau only for its own districts).
#[utoipa::path(post, path = "/v1/cases", request_body = NewCase,
    responses((status = 201, body = CaseView), (status = 400), (status = 401), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn open(
    State(state): State<AppState>,
    person: Person,
    ApiJson(new): ApiJson<NewCase>,
) -> Result<Response, ApiError> {
    person.require(&[Role::Regulator])?;
    let valid = new
        .validate(person.districts.as_deref())
        .map_err(ApiError::Validation)?;
    let opening = Opening {
        alert_id: None,
        report_ids: valid.report_ids,
        product: valid.product,
        category: valid.category,
        districts: valid.districts,
        initial_level: None,
        deadline: None,
        correlation_id: None,
        opened_by: person.id.clone(),
        signal_id: None,
        stations: Vec::new(),
        enterprises: valid.enterprises,
    };
    let row = cases::open(&state.db, &state.outbox, opening).await?;
    metrics::counter!("assessment_cases_opened_total", "by" => "hand").increment(1);
    let location = format!("/v1/cases/{}", row.id);
    let mut response = (StatusCode::CREATED, Json(CaseView::from(row))).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}
