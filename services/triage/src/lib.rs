//! Triage: the evaluation centre's 研判. Turns received reports into classified reports,
//! raises alerts for important risks at once in the important lane, groups reports about one
//! risk into signals, spots surges, and gives regulators a queue to act on.
//!
//! - [`domain`]: the catalogue and classifier (jieba), importance and hazard lexicons, MinHash
//!   similarity, the duplicate rule and the surge test; data under `data/`, no I/O.
//! - [`messaging`]: the two lanes' consumers of `ReportReceived`, and the clustering consumer
//!   of triage's own `ReportClassified` (the slow steps, after the alert has left).
//! - [`http`]: the catalogue, classifications and the unclassified queue, signals.
//! - [`store`]: the only code that touches triage's database.

pub mod domain;
pub mod http;
pub mod messaging;
pub mod store;

use std::{future::Future, sync::Arc};

use prism_platform::config::Settings;
use prism_runtime::Service;
use utoipa::OpenApi as _;

use crate::domain::classifier::{Classifier, Current};

/// The service's name, also its event `source`.
pub const NAME: &str = "triage";
/// The port of INTERFACE.md.
pub const DEFAULT_PORT: u16 = 8082;

/// Connections triage keeps to a SQLite database, at most. A SQLite connection drops its
/// whole page cache when it finds the database changed by another connection, so with eight
/// taking turns nearly every read began cold, from the kernel's copy of the file. With two,
/// classification ran at 2,045 reports/s instead of 1,762 (`alert_latency` example, 100,000
/// queued). Writes are one at a time on SQLite whatever the pool (see
/// `prism_messaging::gate`). PostgreSQL keeps `database.max_connections`.
pub const SQLITE_CONNECTIONS: u32 = 2;

/// A built, not yet serving, triage.
pub struct Application {
    service: Service,
    catalogue: Arc<Current>,
}

impl Application {
    /// Connects everything, loads the catalogue in force and starts the consumers.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Self> {
        if settings.database.url.starts_with("sqlite:") {
            let configured = settings.database.max_connections;
            settings.database.max_connections = configured.min(SQLITE_CONNECTIONS);
        }
        let service = Service::start::<triage_migration::Migrator>(NAME, settings).await?;
        let catalogue = store::catalogue::current_or_shipped(&service.db).await?;
        let catalogue = Arc::new(Current::new(
            tokio::task::spawn_blocking(move || Classifier::new(catalogue)).await?,
        ));
        let triage = Arc::new(messaging::reports::Triage::new(
            service.outbox.clone(),
            catalogue.clone(),
            domain::importance::Lexicon::shipped(),
            domain::hazard::Hazards::shipped(),
        ));
        let url = service.settings.nats.url.clone();
        let lexicon = domain::importance::Lexicon::shipped();
        // The alert thread is started here, by the caller of `build` (the process's main
        // thread), not from a runtime task: threads inherit their creator's priority, and
        // the runtime's may be bulk priority.
        service.spawn(|shutdown| {
            let alerts = messaging::alerts::run_apart(url, lexicon, shutdown);
            async move {
                if let Err(error) = alerts.await {
                    tracing::error!(error = ?error, "the alert consumer stopped");
                }
            }
        });
        for (spec, handler) in messaging::report_consumers(triage) {
            service.consume(spec, handler);
        }
        service.consume(
            messaging::signal_consumer(),
            Arc::new(messaging::signals::Signals::new(
                service.outbox.clone(),
                store::clustering::Clustering::default(),
            )),
        );
        Ok(Self { service, catalogue })
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
            catalogue: self.catalogue,
        };
        self.service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
