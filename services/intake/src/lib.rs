//! Intake: where every risk report enters PRISM.
//!
//! Stations post reports over HTTP with their API key; each accepted report is stored and
//! announced as `ReportReceived` in the same transaction (important reports in the important
//! lane). Intake also keeps a timeline of what downstream services announce about each report.
//!
//! - [`domain`]: what a valid report and station are, districts, reporting periods (no I/O).
//! - [`http`]: the endpoints, one module per resource, and the [`http::caller::Caller`].
//! - [`store`]: the only code that touches intake's database.
//! - [`messaging`]: the timeline consumers.

pub mod domain;
pub mod http;
pub mod messaging;
pub mod store;

use std::future::Future;

use prism_platform::config::Settings;
use prism_runtime::Service;
use utoipa::OpenApi as _;

/// The service's name, also its event `source`.
pub const NAME: &str = "intake";
/// The port of INTERFACE.md.
pub const DEFAULT_PORT: u16 = 8081;

/// A built, not yet serving, intake.
pub struct Application {
    service: Service,
}

impl Application {
    /// Connects everything and starts the consumers.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let service = Service::start::<intake_migration::Migrator>(NAME, settings).await?;
        for (spec, handler) in messaging::consumers() {
            service.consume(spec, handler);
        }
        Ok(Self { service })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.service.port()
    }

    /// Serves until `signal`, then shuts down without losing anything.
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = http::AppState {
            db: self.service.db.clone(),
            outbox: self.service.outbox.clone(),
            verifier: self.service.verifier.clone(),
        };
        self.service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
