//! Triage: the evaluation centre's 研判. Turns received reports into classified reports and,
//! for important risks, alerts raised at once in the important lane.
//!
//! - [`domain`]: the catalogue and the importance lexicon (data under `data/`), no I/O.
//! - [`messaging`]: the two lanes' consumers of `ReportReceived`.
//! - [`http`]: the catalogue and classifications.
//! - [`store`]: the only code that touches triage's database.

pub mod domain;
pub mod http;
pub mod messaging;
pub mod store;

use std::{future::Future, sync::Arc};

use prism_platform::config::Settings;
use prism_runtime::Service;
use utoipa::OpenApi as _;

/// The service's name, also its event `source`.
pub const NAME: &str = "triage";
/// The port of INTERFACE.md.
pub const DEFAULT_PORT: u16 = 8082;

/// A built, not yet serving, triage.
pub struct Application {
    service: Service,
    catalogue: Arc<domain::catalogue::Catalogue>,
}

impl Application {
    /// Connects everything and starts both lanes' consumers.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let service = Service::start::<triage_migration::Migrator>(NAME, settings).await?;
        let catalogue = domain::catalogue::Catalogue::shipped();
        let triage = Arc::new(messaging::Triage {
            outbox: service.outbox.clone(),
            catalogue: catalogue.clone(),
            lexicon: domain::importance::Lexicon::shipped(),
        });
        for (spec, handler) in messaging::consumers(triage) {
            service.consume(spec, handler);
        }
        Ok(Self {
            service,
            catalogue: Arc::new(catalogue),
        })
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
            verifier: self.service.verifier.clone(),
            catalogue: self.catalogue,
        };
        self.service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
