//! Assessment: experts and regulators decide (风险评估 and 风险处置).
//!
//! Every alert triage raises and every signal it escalates opens a case; an important one is
//! due within `important_case_hours`; regulators may also open cases by hand. A regulator
//! draws a panel of at least two experts at random from the qualified and independent;
//! each expert scores injury scenarios by the EU method, and lab results sit beside the
//! scores; the case's level follows from the risk matrix. A regulator records a decision:
//! the computed level or an override with a reason, the disposal measures and, if wanted,
//! the text of a public warning. Decisions are append-only (a change is a new version). Each
//! step is announced in the transaction that makes it (`CaseOpened`, `ExpertsAssigned`,
//! `CaseAssessed`, `DecisionRecorded`, `CaseOverdue`).
//!
//! - [`config`]: assessment's own settings.
//! - [`domain`]: cases, scores, the risk matrix, panels, lab results, decisions (no I/O).
//! - [`http`]: the endpoints, one module per resource, and who may see which case.
//! - [`store`]: the only code that touches assessment's database.
//! - [`messaging`]: the consumers that open a case for each alert and escalated signal.
//! - [`deadlines`]: the sweep that raises `CaseOverdue`.

pub mod config;
pub mod deadlines;
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
    own: AssessmentSettings,
}

impl Application {
    /// Checks assessment's own settings, connects everything and starts the consumers and
    /// the deadline sweep.
    pub async fn build(settings: Settings, own: AssessmentSettings) -> anyhow::Result<Self> {
        own.validate()?;
        let service = Service::start::<assessment_migration::Migrator>(NAME, settings).await?;
        let alerts = Arc::new(messaging::AlertCases {
            outbox: service.outbox.clone(),
            important_case_hours: own.important_case_hours,
        });
        let (spec, handler) = messaging::consumer(alerts);
        service.consume(spec, handler);
        let signals = Arc::new(messaging::signals::SignalCases {
            outbox: service.outbox.clone(),
            important_case_hours: own.important_case_hours,
        });
        let (spec, handler) = messaging::signals::consumer(signals);
        service.consume(spec, handler);
        let (db, outbox) = (service.db.clone(), service.outbox.clone());
        let every = std::time::Duration::from_secs(own.overdue_check_secs);
        service.spawn(move |shutdown| deadlines::run(db, outbox, every, shutdown));
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
            assignment_seed: self.own.assignment_seed,
        };
        self.service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
