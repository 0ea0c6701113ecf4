//! Notification: important risks reach every subscribed regulator at once.
//!
//! - [`hub`]: the live fan-out of one instance, fed straight from NATS.
//! - [`messaging`]: durable consumers that record alerts, deliveries and the replayable feed.
//! - [`http`]: subscriptions, the SSE stream with `Last-Event-ID` replay, alerts and acks.
//! - [`domain`]: subscriptions and their filters, feed items (no I/O).
//! - [`store`]: the only code that touches notification's database.

pub mod domain;
pub mod http;
pub mod hub;
pub mod messaging;
pub mod store;

use std::{future::Future, time::Duration};

use prism_platform::config::Settings;
use prism_runtime::Service;
use utoipa::OpenApi as _;

/// The service's name, also its event `source`.
pub const NAME: &str = "notification";
/// The port of INTERFACE.md.
pub const DEFAULT_PORT: u16 = 8085;

/// A built, not yet serving, notification service.
pub struct Application {
    service: Service,
    hub: hub::Hub,
}

impl Application {
    /// Connects everything, starts the live fan-out and the consumers.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let service = Service::start::<notification_migration::Migrator>(NAME, settings).await?;
        let hub = hub::Hub::new();
        let (feeder, nats) = (hub.clone(), service.nats.clone());
        service.spawn(move |shutdown| feeder.run(nats, shutdown));
        let db = service.db.clone();
        service.spawn(move |shutdown| async move {
            loop {
                if let Err(error) = store::feed::prune(&db).await {
                    tracing::warn!(error = %error, "feed prune failed");
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
                    _ = shutdown.cancelled() => break,
                }
            }
        });
        for (spec, handler) in messaging::consumers() {
            service.consume(spec, handler);
        }
        Ok(Self { service, hub })
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
            hub: self.hub,
        };
        self.service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
