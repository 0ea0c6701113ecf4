//! Notification: important risks reach every subscribed regulator at once, over every
//! channel, provably.
//!
//! - [`config`]: notification's own settings (webhooks, email, escalation, dispatch).
//! - [`hub`]: the live fan-out of one instance, fed straight from NATS.
//! - [`messaging`]: durable consumers that record alerts, the replayable feed and one
//!   delivery record per (event, subscription, channel).
//! - [`delivery`]: webhooks and email driven from the deliveries table, the digest, and
//!   escalation of unacknowledged alerts.
//! - [`http`]: subscriptions, the SSE stream with `Last-Event-ID` replay, alerts and acks.
//! - [`domain`]: subscriptions and their filters, feed items, forbidden targets (no I/O).
//! - [`store`]: the only code that touches notification's database.

pub mod config;
pub mod delivery;
pub mod domain;
pub mod http;
pub mod hub;
pub mod messaging;
pub mod store;

use std::{future::Future, sync::Arc, time::Duration};

use prism_platform::config::Settings;
use prism_runtime::Service;
use tokio::sync::Notify;
use utoipa::OpenApi as _;

use crate::config::NotificationSettings;

/// The service's name, also its event `source`.
pub const NAME: &str = "notification";
/// The port of INTERFACE.md.
pub const DEFAULT_PORT: u16 = 8085;

/// A built, not yet serving, notification service.
pub struct Application {
    service: Service,
    hub: hub::Hub,
    webhooks: delivery::webhook::Webhooks,
    heartbeat: Duration,
    replay_limit: u64,
}

impl Application {
    /// Builds with the default settings of notification's own (as the end-to-end suite does).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with(settings, NotificationSettings::default()).await
    }

    /// Checks notification's settings, connects everything, starts the live fan-out, the
    /// consumers, the delivery worker, the digest and escalation.
    pub async fn build_with(settings: Settings, own: NotificationSettings) -> anyhow::Result<Self> {
        own.validate()?;
        let service = Service::start::<notification_migration::Migrator>(NAME, settings).await?;
        let hub = hub::Hub::new(own.stream.fan_out_threads);
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
        let wake = Arc::new(Notify::new());
        let worker = Arc::new(delivery::worker::Worker::new(
            service.db.clone(),
            service.outbox.clone(),
            own.clone(),
            wake.clone(),
        )?);
        let webhooks = worker.webhooks.clone();
        let digest = delivery::digest::Digest {
            db: service.db.clone(),
            mailer: worker.mailer.clone(),
            every: Duration::from_secs(own.email.digest_interval_secs.max(1)),
        };
        service.spawn(move |shutdown| worker.run(shutdown));
        service.spawn(move |shutdown| digest.run(shutdown));
        let escalation = delivery::escalation::Escalation {
            db: service.db.clone(),
            outbox: service.outbox.clone(),
            settings: own.escalation.clone(),
            dispatch: wake.clone(),
        };
        // Escalating to nobody would record a warning that reached no one.
        if own.escalation.contacts.is_empty() {
            tracing::warn!("escalation.contacts is empty: unacknowledged alerts will not escalate");
        } else {
            service.spawn(move |shutdown| escalation.run(shutdown));
        }
        let handler = Arc::new(messaging::Notification {
            outbox: service.outbox.clone(),
            dispatch: wake,
        });
        for (spec, handler) in messaging::consumers(handler) {
            service.consume(spec, handler);
        }
        Ok(Self {
            service,
            hub,
            webhooks,
            heartbeat: Duration::from_secs(own.stream.heartbeat_secs),
            replay_limit: own.stream.replay_limit,
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
            outbox: self.service.outbox.clone(),
            hub: self.hub,
            webhooks: self.webhooks,
            heartbeat: self.heartbeat,
            replay_limit: self.replay_limit,
        };
        let mut service = self.service;
        // Regulators' streams stay open for hours, mostly idle: each must cost little.
        service.stream_paths(&["/v1/stream"]);
        service
            .serve(http::router(state), http::ApiDoc::openapi(), signal)
            .await
    }
}
