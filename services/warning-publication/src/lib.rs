//! Warning-publication: where a reviewed, approved warning (风险警示) reaches the public.
//!
//! Drafts come from two places: a regulator writes one over HTTP, or an assessment decision
//! asks for one (`DecisionRecorded` with a `warning`). Regulators edit drafts; a publisher
//! who neither drafted nor edited it approves a draft, which publishes it as version 1 and
//! announces `WarningPublished`. A published warning changes only through a proposed update
//! that another publisher approves (version n+1, `WarningUpdated`, every version kept) or a
//! cancellation with a reason (`WarningCancelled`). Every state change is written to the
//! audit trail in the transaction that makes it.
//!
//! Anyone may read, without logging in: the JSON API (filters, Chinese full-text search,
//! cursor pages, `ETag`/`304`, CORS), Atom feeds, each warning as an OASIS CAP 1.2 message
//! (`schema/CAP-v1.2.xsd`), and a server-rendered site in Chinese and English with a
//! feedback form. Drafts are invisible to the public.
//!
//! - [`domain`]: what a valid draft is, districts, types and states, search terms, CAP
//!   messages (no I/O).
//! - [`http`]: the public reads, feeds and site; drafting, approval, updates, cancellation;
//!   feedback.
//! - [`store`]: the only code that touches warning-publication's database.
//! - [`messaging`]: the consumer of assessment's decisions.
//!
//! `examples/bench_public_list.rs` is the benchmark against nginx.

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
        let cache = std::sync::Arc::new(http::cache::PublicCache::default());
        let mut service = self.service;
        service.revalidate(std::sync::Arc::new(http::cache::Revalidation(
            cache.clone(),
        )));
        let state = http::AppState::new(http::Shared {
            db: service.db.clone(),
            outbox: service.outbox.clone(),
            verifier: service.verifier.clone(),
            cache,
            templates: http::site::templates(),
            feedback_limits: http::feedback::limits(),
        });
        service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
