//! Intake: where every risk report enters PRISM.
//!
//! Stations post reports over HTTP with their API key; each accepted report is stored and
//! announced as `ReportReceived` in the same transaction (important reports in the important
//! lane). Intake also keeps a timeline of what downstream services announce about each report.
//!
//! - [`domain`]: what a valid report and station are, districts, reporting periods, the
//!   official calendar and due dates, compliance, the form's columns (no I/O).
//! - [`http`]: the endpoints, one module per resource, and the [`http::caller::Caller`].
//! - [`store`]: the only code that touches intake's database (and the attachment files).
//! - [`form`]: the official Excel form as files (calamine in, rust_xlsxwriter out).
//! - [`messaging`]: the timeline consumers.
//! - [`overdue`]: the background watch that announces missed monthly due dates.
//! - [`config`]: intake's own settings (rate limits, overdue watch).

pub mod config;
pub mod domain;
pub mod form;
pub mod http;
pub mod messaging;
pub mod overdue;
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
    own: config::IntakeSettings,
}

impl Application {
    /// Connects everything and starts the consumers, with intake's default own settings.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, config::IntakeSettings::default()).await
    }

    /// Connects everything and starts the consumers and the overdue watch.
    pub async fn build_with(
        settings: Settings,
        own: config::IntakeSettings,
    ) -> anyhow::Result<Self> {
        own.validate()?;
        let service = Service::start::<intake_migration::Migrator>(NAME, settings).await?;
        for (spec, handler) in messaging::consumers() {
            service.consume(spec, handler);
        }
        let (db, outbox) = (service.db.clone(), service.outbox.clone());
        let every = std::time::Duration::from_secs(own.overdue_check_secs);
        service
            .spawn(move |shutdown| overdue::watch(db, outbox, every, shutdown.cancelled_owned()));
        Ok(Self { service, own })
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
            limits: http::limits::RateLimits::new(&self.own.rate_limit),
            keys: Default::default(),
            commits: store::group_commit::GroupCommit::start(
                self.service.db.clone(),
                self.service.outbox.clone(),
            ),
            data_dir: self.service.settings.data_dir.clone().into(),
        };
        self.service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
