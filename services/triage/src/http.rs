//! Triage's HTTP surface: one module per resource. Stations have no access: every route
//! needs a person's JWT.

pub mod catalog;
pub mod classifications;
pub mod signal_actions;
pub mod signals;
pub mod views;

use std::sync::Arc;

use axum::{extract::FromRef, Router};
use prism_messaging::Outbox;
use prism_platform::{auth::JwtVerifier, http::openapi::BearerAuth};
use sea_orm::DatabaseConnection;
use utoipa::OpenApi;

use crate::domain::classifier::Current;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub outbox: Outbox,
    pub verifier: Arc<JwtVerifier>,
    pub catalogue: Arc<Current>,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// All of triage's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(catalog::router())
        .merge(classifications::router())
        .merge(signals::router())
        .merge(signal_actions::router())
        .with_state(state)
}

/// Triage's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM triage", description = "The evaluation centre's 研判: classification, importance, alerts, signals, surges."),
    paths(
        catalog::show, catalog::replace,
        classifications::show, classifications::unclassified, classifications::reclassify,
        signals::list, signals::show,
        signal_actions::merge, signal_actions::split, signal_actions::reclassify,
        signal_actions::escalate, signal_actions::dismiss,
    ),
    components(schemas(
        crate::domain::catalogue::Catalogue, crate::domain::catalogue::Category,
        crate::domain::catalogue::NewCatalogue,
        views::ClassificationView, views::SignalView, views::SignalDetail, views::ActionView,
        classifications::Reclassification,
        signal_actions::Merge, signal_actions::Split, signal_actions::Reclassify,
        signal_actions::Escalate, signal_actions::Dismiss,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
