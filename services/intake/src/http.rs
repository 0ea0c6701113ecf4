//! Intake's HTTP surface: one module per resource.

pub mod caller;
pub mod reports;
pub mod stations;
pub mod views;

use std::sync::Arc;

use axum::{extract::FromRef, Router};
use prism_messaging::Outbox;
use prism_platform::{auth::JwtVerifier, http::openapi::BearerAuth};
use sea_orm::DatabaseConnection;
use utoipa::OpenApi;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub outbox: Outbox,
    pub verifier: Arc<JwtVerifier>,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// All of intake's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(stations::router())
        .merge(reports::router())
        .with_state(state)
}

/// Intake's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM intake", description = "Monitoring stations post product risk reports."),
    paths(
        stations::register, stations::list, stations::show, stations::issue_key, stations::revoke_key,
        reports::submit, reports::list, reports::show, reports::timeline,
    ),
    components(schemas(
        crate::domain::station::NewStation, crate::domain::station::Contact,
        crate::domain::report::NewReport, crate::domain::report::NewCasualties,
        crate::domain::report::Reporter, crate::domain::report::Ecommerce,
        views::StationView, views::IssuedKey, views::ReportView, views::ReportAccepted, views::TimelineStep,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
