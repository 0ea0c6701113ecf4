//! Assessment's HTTP surface: one module per resource. Only people call it (a station's
//! API key does not verify as a JWT, so stations get 401 like anyone without a token).

pub mod assessment;
pub mod cases;
pub mod decisions;
pub mod experts;
pub mod panels;
pub mod views;
pub mod visibility;

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
    /// A fixed seed for panel draws (tests); `None` draws a fresh one each time.
    pub assignment_seed: Option<u64>,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// All of assessment's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(cases::router())
        .merge(decisions::router())
        .merge(experts::router())
        .merge(panels::router())
        .merge(assessment::router())
        .with_state(state)
}

/// Assessment's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM assessment", description = "Regulators and experts assess cases and decide their disposal."),
    paths(cases::list, cases::show, cases::open, decisions::record, decisions::list,
          experts::add, experts::list, panels::assign, panels::show,
          assessment::score, assessment::change, assessment::show, assessment::add_lab_result),
    components(schemas(
        crate::domain::case::NewCase,
        crate::domain::decision::NewDecision, crate::domain::decision::WarningText,
        crate::domain::expert::NewExpert, crate::domain::lab::NewLabResult,
        crate::domain::score::NewScore, crate::domain::score::NewStep, crate::domain::score::Step,
        crate::domain::summary::Summary, crate::domain::summary::ExpertLevel,
        crate::domain::risk::Sensitivity,
        views::CaseView, views::DecisionView, experts::ExpertView, panels::DrawRequest,
        panels::PanelView, assessment::ScoreView, assessment::LabResultView,
        assessment::AssessmentView,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
