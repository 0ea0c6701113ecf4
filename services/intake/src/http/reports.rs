//! `/v1/reports`: stations submit reports; stations and regulators read them.

use axum::{
    body::Bytes,
    extract::{Path, State},
    http::{header, HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use chrono::{DateTime, FixedOffset, Utc};
use prism_platform::{
    auth::Role,
    http::{json, ApiError, ApiQuery, FieldError, Page, PageQuery, Text},
};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{
    caller::Caller,
    views::{ReportAccepted, ReportView, TimelineStep},
    AppState,
};
use crate::{
    domain::{district, period, report::NewReport},
    store::{
        reports::{self, Accepted, IdempotencyKey, ReportFilter},
        timeline,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/reports", post(submit).get(list))
        .route("/v1/reports/batch", post(super::batch::submit_batch))
        .route("/v1/reports/import", post(super::excel::import))
        .route("/v1/reports/export.xlsx", get(super::excel::export))
        .route("/v1/reports/{id}", get(show))
        .route("/v1/reports/{id}/timeline", get(timeline))
}

const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Submit one report (station). With an `Idempotency-Key`, a retry returns the first answer
/// and stores nothing new.
#[utoipa::path(post, path = "/v1/reports", request_body = NewReport,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 201, body = ReportAccepted), (status = 400), (status = 401), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let station = caller.station()?.clone();
    require_json(&headers)?;
    let idempotency = idempotency_key(&headers, &body)?;
    if let Some(key) = &idempotency {
        if let Some(first) = reports::stored_answer(&state.db, station.id, &key.key).await? {
            return replay(first, key);
        }
    }
    let new: NewReport = json::parse(&body)?;
    let valid = new.validate(Utc::now()).map_err(ApiError::Validation)?;
    let render = |row: &crate::store::entities::report::Model| {
        serde_json::to_string(&ReportAccepted::from(row)).unwrap_or_default()
    };
    // Without a key, the report joins the next group commit; with one, it goes alone so that
    // its idempotency record decides in its own transaction.
    let accepted = match idempotency {
        None => Accepted::New(Box::new(state.commits.accept(station, valid).await?)),
        Some(key) => {
            reports::accept(&state.db, &state.outbox, &station, valid, Some(key), render).await?
        }
    };
    match accepted {
        Accepted::New(row) => {
            metrics::counter!("intake_reports_accepted_total", "kind" => row.kind.clone())
                .increment(1);
            let location = format!("/v1/reports/{}", row.id);
            let mut response = (
                StatusCode::CREATED,
                Json(ReportAccepted::from(row.as_ref())),
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Ok(response)
        }
        Accepted::Repeat(first) => {
            let hash = first.request_hash.clone();
            replay(
                first,
                &IdempotencyKey {
                    key: String::new(),
                    request_hash: hash,
                },
            )
        }
    }
}

/// The request's `Idempotency-Key` with the hash of its body, if it sent one.
pub(crate) fn idempotency_key(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Option<IdempotencyKey>, ApiError> {
    Ok(match headers.get(IDEMPOTENCY_KEY) {
        None => None,
        Some(value) => {
            let key = value
                .to_str()
                .ok()
                .filter(|k| (1..=255).contains(&k.len()))
                .ok_or_else(|| {
                    ApiError::field(
                        "Idempotency-Key",
                        Text::new(
                            "Idempotency-Key 须为 1–255 个可见字符",
                            "Idempotency-Key must be 1–255 visible characters",
                        ),
                    )
                })?;
            Some(IdempotencyKey {
                key: key.to_owned(),
                request_hash: hex::encode(Sha256::digest(body)),
            })
        }
    })
}

pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::BadRequest {
            code: "unsupported_media_type",
            message: Text::new("请求体须为 JSON", "The body must be JSON"),
            field: None,
        })
    }
}

/// The first answer again, or 422 if the key was used for a different body.
pub(crate) fn replay(
    first: reports::StoredAnswer,
    key: &IdempotencyKey,
) -> Result<Response, ApiError> {
    if first.request_hash != key.request_hash {
        return Err(ApiError::BadRequest {
            code: "idempotency_key_reused",
            message: Text::new(
                "该 Idempotency-Key 已用于另一份不同的请求",
                "This Idempotency-Key was already used for a different request",
            ),
            field: Some("Idempotency-Key".to_owned()),
        });
    }
    let status = StatusCode::from_u16(first.status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, first.body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

/// Filters of the report list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub kind: Option<String>,
    /// `YYYY-MM`.
    pub period: Option<String>,
    pub district: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    /// Received at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// Received before.
    pub to: Option<DateTime<FixedOffset>>,
    pub station_id: Option<Uuid>,
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

impl ListQuery {
    fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if self
            .kind
            .as_deref()
            .is_some_and(|k| prism_contracts::ReportKind::parse(k).is_none())
        {
            errors.push(FieldError::new(
                "kind",
                Text::new("kind 无效", "kind is not valid"),
            ));
        }
        if self
            .period
            .as_deref()
            .is_some_and(|p| !period::is_period(p))
        {
            errors.push(FieldError::new(
                "period",
                Text::new("period 须为 YYYY-MM", "period must be YYYY-MM"),
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
        if self
            .status
            .as_deref()
            .is_some_and(|s| !timeline::STATUSES.contains(&s))
        {
            errors.push(FieldError::new(
                "status",
                Text::new("status 无效", "status is not valid"),
            ));
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                errors.push(FieldError::new(
                    "to",
                    Text::new("to 须晚于 from", "to must be after from"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// List reports: a station its own, a regulator all (a district bureau its districts).
#[utoipa::path(get, path = "/v1/reports", params(ListQuery),
    responses((status = 200, body = Page<ReportView>)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<ReportView>>, ApiError> {
    query.validate()?;
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = page.limit()?;
    let before = page.after_id()?;
    let mut filter = ReportFilter {
        kind: query.kind,
        period: query.period,
        district: query.district,
        category: query.category,
        status: query.status,
        from: query.from.map(|t| t.with_timezone(&Utc)),
        to: query.to.map(|t| t.with_timezone(&Utc)),
        station_id: query.station_id,
        visible_districts: None,
    };
    match &caller {
        Caller::Station(station) => filter.station_id = Some(station.id),
        Caller::Person(person) => {
            person.require(&[Role::Regulator, Role::Admin])?;
            filter.visible_districts = person.districts.clone();
        }
    }
    let rows = reports::list(&state.db, &filter, before, limit).await?;
    let page = Page::from_overfetch(rows, limit, |row| row.id.to_string());
    Ok(Json(Page {
        items: page.items.into_iter().map(ReportView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One report; another station's is 404.
#[utoipa::path(get, path = "/v1/reports/{id}", responses((status = 200, body = ReportView), (status = 404)),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<ReportView>, ApiError> {
    let row = visible_report(&state, &caller, id).await?;
    Ok(Json(row.into()))
}

/// What became of a report.
#[utoipa::path(get, path = "/v1/reports/{id}/timeline", responses((status = 200, body = Vec<TimelineStep>), (status = 404)),
    security(("bearer" = [])))]
pub async fn timeline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<TimelineStep>>, ApiError> {
    let row = visible_report(&state, &caller, id).await?;
    let mut steps = vec![TimelineStep {
        step: "received".to_owned(),
        at: row.received_at,
        detail: serde_json::json!({"station_id": row.station_id, "kind": row.kind}),
    }];
    steps.extend(
        timeline::of(&state.db, id)
            .await?
            .into_iter()
            .map(TimelineStep::from),
    );
    Ok(Json(steps))
}

pub(crate) async fn visible_report(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<crate::store::entities::report::Model, ApiError> {
    let row = reports::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if let Caller::Person(person) = caller {
        person.require(&[Role::Regulator, Role::Admin])?;
    }
    // Someone else's report is "not found", not "forbidden": its existence is not theirs to know.
    if caller.may_read(row.station_id, &reports::strings(&row.districts)) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}
