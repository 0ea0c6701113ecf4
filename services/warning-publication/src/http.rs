//! Warning-publication's HTTP surface: one module per resource.

pub mod cache;
pub mod drafts;
pub mod feedback;
pub mod feeds;
pub mod lifecycle;
pub mod presentation;
pub mod site;
pub mod views;
pub mod warnings;

use std::{sync::Arc, time::Duration};

use axum::{
    extract::FromRef,
    http::{header, Method},
    Router,
};
use prism_messaging::Outbox;
use prism_platform::{auth::JwtVerifier, http::openapi::BearerAuth};
use sea_orm::DatabaseConnection;
use tower_http::cors::{Any, CorsLayer};
use utoipa::OpenApi;

/// What handlers share, behind one reference count. axum clones the state into the handler
/// of every request: cloning and dropping each shared field (database pool, outbox, caches)
/// was about a tenth of a cached public read's time in the profile; one `Arc` is one count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
pub struct Shared {
    pub db: DatabaseConnection,
    pub outbox: Outbox,
    pub verifier: Arc<JwtVerifier>,
    /// Public responses, tagged and cached (see [`cache`]).
    pub cache: Arc<cache::PublicCache>,
    /// The site's templates.
    pub templates: Arc<minijinja::Environment<'static>>,
    /// How often the public may send feedback.
    pub feedback_limits: Arc<feedback::FeedbackLimits>,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// The response headers a browser's script may read: what the CORS layer below exposes,
/// written out for the `304`s answered in front of it ([`cache::Revalidation`]).
pub const CORS_EXPOSED: &str = "etag,cache-control";

/// All of warning-publication's routes.
pub fn router(state: AppState) -> Router {
    // Other sites may read the public API and feeds from a browser. Writes need a bearer
    // token, never a cookie, so allowing every origin exposes nothing a script could not
    // already send.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::POST, Method::PUT])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::ACCEPT_LANGUAGE,
        ])
        .expose_headers([header::ETAG, header::CACHE_CONTROL])
        .max_age(Duration::from_secs(86_400));
    Router::new()
        .merge(warnings::router())
        .merge(drafts::router())
        .merge(lifecycle::router())
        .merge(feeds::router())
        .merge(site::router())
        .merge(feedback::router())
        .with_state(state)
        .layer(cors)
}

/// Warning-publication's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "PRISM warning-publication", description = "Regulators draft public warnings; publishers approve them; anyone reads them."),
    paths(
        warnings::list, warnings::show, warnings::history,
        drafts::create, drafts::list, drafts::approve,
        lifecycle::edit, lifecycle::update, lifecycle::cancel,
        feeds::warnings_feed, feeds::cap_feed, feeds::cap_message,
        feedback::list,
    ),
    components(schemas(
        crate::domain::drafting::NewWarning,
        lifecycle::UpdateRequest, lifecycle::CancelRequest,
        views::WarningView, views::PublicWarning, views::VersionView, views::FeedbackView,
    )),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;
