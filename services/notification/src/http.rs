//! Notification's HTTP surface: subscriptions, the live stream, alerts.

pub mod alerts;
pub mod stream;
pub mod subscriptions;

use std::sync::Arc;

use axum::{extract::FromRef, Router};
use prism_platform::{auth::JwtVerifier, http::openapi::BearerAuth};
use sea_orm::DatabaseConnection;
use utoipa::OpenApi;

use crate::{delivery::webhook::Webhooks, hub::Hub};
use prism_messaging::Outbox;

/// What handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub verifier: Arc<JwtVerifier>,
    pub outbox: Outbox,
    pub hub: Hub,
    /// Checks webhook targets when they are subscribed.
    pub webhooks: Webhooks,
    /// Between the stream's heartbeat comments.
    pub heartbeat: std::time::Duration,
    /// The most events one reconnect replays (`stream.replay_limit`).
    pub replay_limit: u64,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// All of notification's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(subscriptions::router())
        .merge(stream::router())
        .merge(alerts::router())
        .with_state(state)
}

/// Notification's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM notification", description = "Important risks reach subscribed regulators at once."),
    paths(
        subscriptions::create, subscriptions::list, subscriptions::remove,
        stream::stream, alerts::list, alerts::deliveries, alerts::acknowledge,
    ),
    components(schemas(
        crate::domain::subscription::NewSubscription, crate::domain::subscription::Channel,
        crate::domain::subscription::Bureau,
        crate::domain::subscription::Filters, crate::store::subscriptions::Subscription,
        alerts::AlertView, alerts::DeliveryView,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
