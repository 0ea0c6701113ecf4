//! Warning-publication: where a reviewed, approved warning (风险警示) reaches the public.
//!
//! Drafts come from two places: a regulator writes one over HTTP, or an assessment decision
//! asks for one (`DecisionRecorded` with a `warning`). A publisher other than the drafter
//! approves a draft, which publishes it and announces `WarningPublished`. Anyone may read
//! published warnings without logging in; drafts are invisible to the public. Every state
//! change is written to the audit trail in the transaction that makes it.
//!
//! - [`domain`]: what a valid draft is, districts, warning types and states (no I/O).
//! - [`http`]: the public reads, and drafting and approval.
//! - [`store`]: the only code that touches warning-publication's database.
//! - [`messaging`]: the consumer of assessment's decisions.

pub mod domain;
pub mod http;
pub mod messaging;
pub mod store;

use std::future::Future;

use prism_platform::config::Settings;
use prism_runtime::Service;
use utoipa::OpenApi as _;

/// The service's name, also its event `source`.
pub const NAME: &str = "warning-publication";
/// The port of INTERFACE.md.
pub const DEFAULT_PORT: u16 = 8084;

/// A built, not yet serving, warning-publication.
pub struct Application {
    service: Service,
}

impl Application {
    /// Connects everything and starts the decisions consumer.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let service =
            Service::start::<warning_publication_migration::Migrator>(NAME, settings).await?;
        for (spec, handler) in messaging::consumers(service.outbox.clone()) {
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
