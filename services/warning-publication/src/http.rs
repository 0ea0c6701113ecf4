//! Warning-publication's HTTP surface: one module per resource.

pub mod drafts;
pub mod views;
pub mod warnings;

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

/// All of warning-publication's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(warnings::router())
        .merge(drafts::router())
        .with_state(state)
}

/// Warning-publication's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM warning-publication", description = "Regulators draft public warnings; publishers approve them; anyone reads them."),
    paths(
        warnings::list, warnings::show,
        drafts::create, drafts::list, drafts::approve,
    ),
    components(schemas(
        crate::domain::drafting::NewWarning,
        views::WarningView, views::PublicWarning,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
