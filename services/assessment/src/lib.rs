//! Assessment: experts and regulators decide (风险评估 and 风险处置).
//!
//! Every alert triage raises opens a case, due within `important_case_hours`; regulators
//! may also open cases by hand. A regulator records a decision on a case: the risk level,
//! the disposal measures and, if wanted, the text of a public warning. Decisions are
//! append-only (a change is a new version), and each is announced as `DecisionRecorded` in
//! the same transaction, so warning-publication drafts the warning and intake's timeline
//! shows it.
//!
//! - [`config`]: assessment's own settings.
//! - [`domain`]: what a valid case and decision are, districts, measures (no I/O).
//! - [`http`]: the endpoints, one module per resource, and who may see which case.
//! - [`store`]: the only code that touches assessment's database.
//! - [`messaging`]: the consumer that opens a case for each alert.

pub mod config;
pub mod domain;
pub mod http;
pub mod messaging;
pub mod store;

use std::{future::Future, sync::Arc};

use prism_platform::config::Settings;
use prism_runtime::Service;
use utoipa::OpenApi as _;

use crate::config::AssessmentSettings;

/// The service's name, also its event `source`.
pub const NAME: &str = "assessment";
/// The port of INTERFACE.md.
pub const DEFAULT_PORT: u16 = 8083;

/// A built, not yet serving, assessment.
pub struct Application {
    service: Service,
}

impl Application {
    /// Checks assessment's own settings, connects everything and starts the alert consumer.
    pub async fn build(settings: Settings, own: AssessmentSettings) -> anyhow::Result<Self> {
        own.validate()?;
        let service = Service::start::<assessment_migration::Migrator>(NAME, settings).await?;
        let cases = Arc::new(messaging::AlertCases {
            outbox: service.outbox.clone(),
            important_case_hours: own.important_case_hours,
        });
        let (spec, handler) = messaging::consumer(cases);
        service.consume(spec, handler);
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
