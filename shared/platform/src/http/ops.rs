//! Operational endpoints: `/healthz` (alive), `/readyz` (database and NATS reachable),
//! `/metrics` (Prometheus text), `/openapi.json`.

use std::sync::Arc;

use axum::{extract::State, response::IntoResponse, routing::get, Json, Router};
use http::StatusCode;
use sea_orm::DatabaseConnection;
use serde_json::json;

/// What readiness depends on.
#[derive(Clone)]
pub struct Readiness {
    pub db: DatabaseConnection,
    pub nats: async_nats::Client,
}

#[derive(Clone)]
struct OpsState {
    readiness: Readiness,
    openapi: Arc<serde_json::Value>,
}

/// The operational routes, to be merged into a service's router.
pub fn router(readiness: Readiness, openapi: utoipa::openapi::OpenApi) -> Router {
    let openapi = serde_json::to_value(&openapi).unwrap_or_else(|_| json!({}));
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi_json))
        .with_state(OpsState {
            readiness,
            openapi: Arc::new(openapi),
        })
}

async fn readyz(State(state): State<OpsState>) -> impl IntoResponse {
    let database = state.readiness.db.ping().await.is_ok();
    let nats = matches!(
        state.readiness.nats.connection_state(),
        async_nats::connection::State::Connected
    );
    let status = if database && nats {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({"database": database, "nats": nats, "ready": database && nats})),
    )
}

async fn metrics() -> impl IntoResponse {
    (
        [(http::header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::telemetry::metrics_handle().render(),
    )
}

async fn openapi_json(State(state): State<OpsState>) -> impl IntoResponse {
    Json(state.openapi.as_ref().clone())
}
