//! Intake's HTTP surface: one module per resource.

pub mod attachments;
pub mod batch;
pub mod caller;
pub mod compliance;
pub mod excel;
pub mod limits;
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
    pub limits: limits::RateLimits,
    /// Stations by API key, looked up once every few seconds.
    pub keys: Arc<crate::store::key_cache::KeyCache>,
    /// Single reports are committed in groups.
    pub commits: crate::store::group_commit::GroupCommit,
    /// Where attachments are kept (`settings.data_dir`).
    pub data_dir: std::path::PathBuf,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// The largest JSON body or form upload (INTERFACE.md's default body limit).
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// All of intake's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(stations::router())
        .merge(reports::router())
        // JSON and forms stay at 2 MiB even where the edge allows more for attachments.
        .layer(axum::extract::DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .merge(attachments::router())
        .with_state(state)
}

/// Intake's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM intake", description = "Monitoring stations post product risk reports."),
    paths(
        stations::register, stations::list, stations::show, stations::issue_key, stations::revoke_key,
        compliance::compliance,
        reports::submit, batch::submit_batch, excel::import, excel::export,
        attachments::upload, attachments::list, attachments::download, reports::list, reports::show, reports::timeline,
    ),
    components(schemas(
        crate::domain::station::NewStation, crate::domain::station::Contact,
        crate::domain::report::NewReport, crate::domain::report::NewCasualties,
        crate::domain::report::Reporter, crate::domain::report::Ecommerce,
        views::StationView, views::IssuedKey, views::ReportView, views::ReportAccepted, views::TimelineStep,
        compliance::Compliance, crate::domain::compliance::Month, crate::domain::compliance::Standing,
        attachments::AttachmentView, excel::ImportResult, excel::RowResult, crate::domain::form::Variant,
        batch::BatchRequest, batch::BatchResult, batch::ItemResult, batch::ItemError,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
