//! `/v1/alerts`: alerts, who got each, and acknowledgements.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use chrono::{DateTime, Utc};
use prism_contracts::{events::notification::AlertAcknowledged, Envelope};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, ApiQuery, Page, PageQuery},
};
use sea_orm::TransactionTrait as _;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use crate::{
    store::{alerts, deliveries, entities},
    NAME,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/alerts", get(list))
        .route("/v1/alerts/{id}/deliveries", get(deliveries))
        .route("/v1/alerts/{id}/ack", post(acknowledge))
}

/// An alert with its acknowledgement.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertView {
    pub id: Uuid,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub level: String,
    pub raised_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    /// When nobody had acknowledged it in time and the escalation contacts were told.
    pub escalated_at: Option<DateTime<Utc>>,
    pub escalated_to: Option<Vec<String>>,
}

impl From<entities::alert::Model> for AlertView {
    fn from(row: entities::alert::Model) -> Self {
        Self {
            id: row.id,
            data: row.data,
            level: row.level,
            raised_at: row.raised_at,
            acknowledged_at: row.acknowledged_at,
            acknowledged_by: row.acknowledged_by,
            escalated_at: row.escalated_at,
            escalated_to: row
                .escalated_to
                .and_then(|v| serde_json::from_value(v).ok()),
        }
    }
}

/// Who got an alert, when, over which channel.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryView {
    pub id: Uuid,
    pub subscriber: String,
    pub channel: String,
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Alerts, newest first (regulator; a district bureau sees its districts).
#[utoipa::path(get, path = "/v1/alerts", params(PageQuery), responses((status = 200, body = Page<AlertView>)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<AlertView>>, ApiError> {
    person.require(&[Role::Regulator])?;
    let limit = page.limit()?;
    let before = page.after_id()?;
    let rows = alerts::list(&state.db, person.districts.as_deref(), before, limit).await?;
    let page = Page::from_overfetch(rows, limit, |row| row.id.to_string());
    Ok(Json(Page {
        items: page.items.into_iter().map(AlertView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

async fn visible(
    state: &AppState,
    person: &Person,
    id: Uuid,
) -> Result<entities::alert::Model, ApiError> {
    person.require(&[Role::Regulator])?;
    let row = alerts::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let districts: Vec<String> = row
        .district_index
        .split(',')
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect();
    if person.sees_any(&districts) {
        Ok(row)
    } else {
        Err(ApiError::NotFound)
    }
}

/// Who got an alert (regulator).
#[utoipa::path(get, path = "/v1/alerts/{id}/deliveries", responses((status = 200, body = Vec<DeliveryView>), (status = 404)),
    security(("bearer" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    visible(&state, &person, id).await?;
    let rows = deliveries::of_alert(&state.db, id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|row| DeliveryView {
                id: row.id,
                subscriber: row.subscriber,
                channel: row.channel,
                status: row.status,
                attempts: row.attempts,
                created_at: row.created_at,
                delivered_at: row.delivered_at,
                next_attempt_at: row.next_attempt_at,
                last_error: row.last_error,
            })
            .collect(),
    ))
}

/// Acknowledge an alert (regulator); the first acknowledgement stands and is announced as
/// `AlertAcknowledged`, and stops the alert's escalation.
#[utoipa::path(post, path = "/v1/alerts/{id}/ack", responses((status = 200, body = AlertView), (status = 404)),
    security(("bearer" = [])))]
pub async fn acknowledge(
    State(state): State<AppState>,
    person: Person,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<AlertView>), ApiError> {
    let alert = visible(&state, &person, id).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    if alerts::acknowledge(&txn, id, &person.id, now).await? {
        let event = AlertAcknowledged {
            alert_id: id,
            report_id: alert.report_id,
            by: person.id.clone(),
            acknowledged_at: now,
        };
        state
            .outbox
            .stage(&txn, &Envelope::new(NAME, event))
            .await?;
    }
    txn.commit().await?;
    state.outbox.committed();
    let row = alerts::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((StatusCode::OK, Json(row.into())))
}
