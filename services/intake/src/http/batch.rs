//! `POST /v1/reports/batch`: up to 1,000 reports at once. Every item is checked on its own;
//! the valid ones are stored together in one transaction and the invalid ones come back with
//! their field errors, so a station fixes only what failed.

use axum::{
    body::Bytes,
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use prism_platform::http::{json, problem::Language, ApiError, FieldError, Text};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    caller::Caller,
    reports::{idempotency_key, replay, require_json},
    AppState,
};
use crate::{
    domain::report::{NewReport, ValidReport},
    store::{
        entities::report,
        reports::{self, BatchAccepted, IdempotencyKey},
    },
};

/// The most reports one batch may carry.
pub const MAX_BATCH: usize = 1_000;

/// A batch of reports. Items are read one by one, so a malformed item fails alone.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    #[schema(value_type = Vec<NewReport>)]
    pub reports: Vec<serde_json::Value>,
}

/// What became of each item, in the order sent.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BatchResult {
    pub accepted: usize,
    pub rejected: usize,
    pub results: Vec<ItemResult>,
}

/// One item's outcome: `accepted` with its id and period, or `rejected` with field errors.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemResult {
    /// Position in `reports`, from 0.
    pub index: usize,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub errors: Vec<ItemError>,
}

/// A field error in the caller's language.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemError {
    pub field: String,
    pub message: String,
}

/// Turns an item's parse or validation failure into field errors.
pub fn field_errors(error: ApiError) -> Vec<FieldError> {
    match error {
        ApiError::Validation(errors) => errors,
        ApiError::BadRequest { message, field, .. } => {
            vec![FieldError::new(
                field.unwrap_or_else(|| ".".to_owned()),
                message,
            )]
        }
        other => vec![FieldError::new(
            ".",
            Text::owned(other.to_string(), other.to_string()),
        )],
    }
}

/// Field errors in one language.
pub fn localise(errors: Vec<FieldError>, language: Language) -> Vec<ItemError> {
    errors
        .into_iter()
        .map(|e| ItemError {
            field: e.field,
            message: match language {
                Language::Zh => e.message.zh.into_owned(),
                Language::En => e.message.en.into_owned(),
            },
        })
        .collect()
}

/// An item's outcome before storing: valid, or its errors.
pub type Checked = Result<ValidReport, Vec<FieldError>>;

/// A result per item, in order, from each item's errors (or `None` when it was valid) and
/// the stored rows of the valid ones.
fn results(outcomes: Vec<Option<Vec<ItemError>>>, stored: &[report::Model]) -> Vec<ItemResult> {
    let mut stored = stored.iter();
    outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| {
            let row = if outcome.is_none() {
                stored.next()
            } else {
                None
            };
            ItemResult {
                index,
                status: if row.is_some() {
                    "accepted"
                } else {
                    "rejected"
                }
                .to_owned(),
                id: row.map(|r| r.id),
                period: row.map(|r| r.period.clone()),
                received_at: row.map(|r| r.received_at),
                errors: outcome.unwrap_or_default(),
            }
        })
        .collect()
}

/// What storing the checked items came to.
pub enum Stored {
    Results(Vec<ItemResult>),
    /// The batch was sent before with this `Idempotency-Key`.
    Replay(reports::StoredAnswer),
}

/// Stores the valid items and renders a result per item, in order. With a key, the whole
/// answer (as `wrap` makes it) is kept for a retry.
pub async fn store_checked(
    state: &AppState,
    station: &crate::store::entities::station::Model,
    checked: Vec<Checked>,
    language: Language,
    idempotency: Option<IdempotencyKey>,
    wrap: impl FnOnce(Vec<ItemResult>) -> String,
) -> Result<Stored, ApiError> {
    let mut outcomes = Vec::with_capacity(checked.len());
    let mut valid = Vec::new();
    for item in checked {
        match item {
            Ok(report) => {
                valid.push(report);
                outcomes.push(None);
            }
            Err(errors) => outcomes.push(Some(localise(errors, language))),
        }
    }
    let kept = outcomes.clone();
    let answer = move |rows: &[report::Model]| wrap(results(kept, rows));
    let idempotency = idempotency.map(|key| (key, 200));
    match reports::accept_many(
        &state.db,
        &state.outbox,
        station,
        valid,
        idempotency,
        answer,
    )
    .await?
    {
        BatchAccepted::New(stored) => {
            for row in &stored {
                metrics::counter!("intake_reports_accepted_total", "kind" => row.kind.clone())
                    .increment(1);
            }
            Ok(Stored::Results(results(outcomes, &stored)))
        }
        BatchAccepted::Repeat(first) => Ok(Stored::Replay(first)),
    }
}

/// The answer body of a batch.
fn batch_result(results: Vec<ItemResult>) -> BatchResult {
    let accepted = results.iter().filter(|r| r.status == "accepted").count();
    BatchResult {
        accepted,
        rejected: results.len() - accepted,
        results,
    }
}

/// Submit up to 1,000 reports (station): valid items are kept even when others fail. With an
/// `Idempotency-Key`, a retry returns the first answer and stores nothing new.
#[utoipa::path(post, path = "/v1/reports/batch", request_body = BatchRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    responses((status = 200, body = BatchResult), (status = 400), (status = 401), (status = 403), (status = 422)),
    security(("bearer" = [])))]
pub async fn submit_batch(
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
    let request: BatchRequest = json::parse(&body)?;
    if request.reports.is_empty() || request.reports.len() > MAX_BATCH {
        return Err(ApiError::field(
            "reports",
            Text::new(
                "reports 须含 1–1000 份报告",
                "reports must hold 1 to 1,000 reports",
            ),
        ));
    }
    let language = Language::from_header(headers.get(header::ACCEPT_LANGUAGE));
    let now = Utc::now();
    let checked = request
        .reports
        .into_iter()
        .map(|item| {
            // Straight from the parsed value; only a failing item is parsed again from text,
            // for the error that names its field.
            NewReport::deserialize(&item)
                .or_else(|_| {
                    let text = serde_json::to_vec(&item).unwrap_or_default();
                    json::parse::<NewReport>(&text).map_err(field_errors)
                })
                .and_then(|new| new.validate(now))
        })
        .collect();
    let wrap = |results| serde_json::to_string(&batch_result(results)).unwrap_or_default();
    match store_checked(&state, &station, checked, language, idempotency, wrap).await? {
        Stored::Results(results) => {
            Ok((StatusCode::OK, Json(batch_result(results))).into_response())
        }
        Stored::Replay(first) => {
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
