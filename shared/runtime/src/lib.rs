//! How a PRISM service starts, runs and stops, so the five services do it the same way.
//!
//! [`Service::start`] opens the service's database and runs its migrations, connects to
//! NATS and makes sure the streams exist, binds the HTTP listener and starts the outbox
//! relay. The service then adds its consumers ([`Service::consume`]) and background jobs
//! ([`Service::spawn`]) and calls [`Service::serve`] with its routes.
//!
//! Shutdown (SIGTERM, Ctrl-C, or the caller's future) happens in the order that loses
//! nothing: stop accepting requests and finish those in flight, stop pulling and finish the
//! events in hand, then flush the outbox, then close.

mod allocator;
pub mod priority;

use std::{future::Future, sync::Arc};

use anyhow::Context as _;
use async_nats::jetstream;
use prism_messaging::{consumer, outbox::RelaySettings, Apply, ConsumerSpec, Outbox, Relay};
use prism_platform::{
    auth::JwtVerifier,
    config::Settings,
    http::{self, front, ops},
};
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// A running service's shared parts.
pub struct Service {
    pub name: &'static str,
    pub settings: Settings,
    pub db: DatabaseConnection,
    pub nats: async_nats::Client,
    pub js: jetstream::Context,
    pub outbox: Outbox,
    pub verifier: Arc<JwtVerifier>,
    listener: TcpListener,
    /// Cancelled to begin shutdown: HTTP, consumers and jobs stop.
    shutdown: CancellationToken,
    /// Cancelled last, once nothing can stage events any more: the relay flushes and stops.
    relay_stop: CancellationToken,
    workers: TaskTracker,
    relay: tokio::task::JoinHandle<()>,
    /// Why a worker stopped the service, if one did: then the process must not exit 0.
    failure: Arc<std::sync::Mutex<Option<String>>>,
    /// Paths of long-lived event streams, served by `http::lean` (see [`Service::stream_paths`]).
    stream_paths: &'static [&'static str],
    /// What answers revalidations before routing (see [`Service::revalidate`]).
    revalidate: Option<Arc<dyn front::Revalidate>>,
}

impl Service {
    /// Connects everything the service needs; `M` is the service's migrator.
    pub async fn start<M: MigratorTrait>(
        name: &'static str,
        settings: Settings,
    ) -> anyhow::Result<Self> {
        // The recorder is installed before the consumers and background tasks started below,
        // not when the router is built: what they record before that would be lost.
        let _ = prism_platform::telemetry::metrics_handle();
        // SQLite runs each connection on a thread of its own, which takes the priority of the
        // thread that opened it. Opened (here and by the migrations) from a runtime worker
        // rather than the thread that started the runtime, a bulk runtime's database threads
        // run at bulk priority too: triage's took a third of a processor at the process's
        // priority while alerts were fanned out.
        let database = settings.database.clone();
        let db = tokio::spawn(async move {
            let db = prism_platform::db::connect(&database).await?;
            M::up(&db, None)
                .await
                .with_context(|| format!("{name}: running migrations"))?;
            anyhow::Ok(db)
        })
        .await??;
        let nats = prism_messaging::streams::connect(&settings.nats.url, name).await?;
        let js = jetstream::new(nats.clone());
        prism_messaging::streams::ensure_all(&js).await?;
        let verifier = Arc::new(JwtVerifier::from_settings(&settings.auth)?);
        let address = format!("{}:{}", settings.http.host, settings.http.port);
        let listener = TcpListener::bind(&address)
            .await
            .with_context(|| format!("{name}: binding {address}"))?;
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("data_dir: creating {}", settings.data_dir))?;

        let outbox = Outbox::new();
        let relay_stop = CancellationToken::new();
        let relay = Relay::new(
            db.clone(),
            js.clone(),
            &outbox,
            name,
            RelaySettings::default(),
        );
        let relay = tokio::spawn(relay.run(relay_stop.clone()));
        Ok(Self {
            name,
            settings,
            db,
            nats,
            js,
            outbox,
            verifier,
            listener,
            shutdown: CancellationToken::new(),
            relay_stop,
            workers: TaskTracker::new(),
            relay,
            failure: Arc::default(),
            stream_paths: &[],
            revalidate: None,
        })
    }

    /// The port the service listens on (the real one when configured as 0).
    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves `GET` requests for `paths` (long-lived event streams) without hyper's
    /// per-connection buffers (`prism_platform::http::lean`): idle streams cost little.
    pub fn stream_paths(&mut self, paths: &'static [&'static str]) {
        self.stream_paths = paths;
    }

    /// Answers conditional `GET`s that `revalidate` vouches for with `304` before routing
    /// (`prism_platform::http::front`).
    pub fn revalidate(&mut self, revalidate: Arc<dyn front::Revalidate>) {
        self.revalidate = Some(revalidate);
    }

    /// A token cancelled when shutdown begins, for the service's own jobs.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Starts a durable consumer; it stops pulling when shutdown begins.
    pub fn consume<A: Apply>(&self, mut spec: ConsumerSpec, handler: Arc<A>) {
        spec.ack_wait = std::time::Duration::from_secs(self.settings.messaging.ack_wait_secs);
        spec.max_deliver = self.settings.messaging.max_deliver;
        let (js, db, outbox, shutdown) = (
            self.js.clone(),
            self.db.clone(),
            self.outbox.clone(),
            self.shutdown.clone(),
        );
        let durable = spec.durable.clone();
        let failure = self.failure.clone();
        self.workers.spawn(async move {
            if let Err(error) = consumer::run(js, db, outbox, spec, handler, shutdown.clone()).await {
                tracing::error!(consumer = %durable, error = ?error, "consumer stopped; shutting down");
                if let Ok(mut failure) = failure.lock() {
                    failure.get_or_insert(format!("consumer {durable}: {error:#}"));
                }
                // A service that cannot consume is not doing its job: stop, so that the
                // supervisor restarts it, rather than answer readiness probes while deaf.
                shutdown.cancel();
            }
        });
    }

    /// Runs a background job until shutdown begins.
    pub fn spawn<F>(&self, job: impl FnOnce(CancellationToken) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.workers.spawn(job(self.shutdown.clone()));
    }

    /// Serves `routes` (plus the operational endpoints) until `signal` resolves or something
    /// begins shutdown, then shuts down in order.
    pub async fn serve(
        self,
        routes: axum::Router,
        openapi: utoipa::openapi::OpenApi,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let readiness = ops::Readiness {
            db: self.db.clone(),
            nats: self.nats.clone(),
        };
        let app = http::edge(routes, &self.settings.http).merge(ops::router(readiness, openapi));
        let shutdown = self.shutdown.clone();
        tokio::spawn({
            let shutdown = shutdown.clone();
            async move {
                tokio::select! {
                    _ = signal => shutdown.cancel(),
                    _ = shutdown.cancelled() => {}
                }
            }
        });
        tracing::info!(service = self.name, port = self.port(), "serving");
        let until = shutdown.clone().cancelled_owned();
        let served = if !self.stream_paths.is_empty() {
            http::serve_lean(self.listener, app, self.stream_paths, shutdown.clone()).await
        } else if let Some(revalidate) = self.revalidate {
            http::serve(self.listener, front::Front::new(revalidate, app), until).await
        } else {
            http::serve(self.listener, app, until).await
        };
        shutdown.cancel();
        self.workers.close();
        self.workers.wait().await;
        self.relay_stop.cancel();
        let _ = self.relay.await;
        tracing::info!(service = self.name, "stopped");
        served.context("HTTP server failed")?;
        match self.failure.lock().ok().and_then(|mut f| f.take()) {
            Some(failure) => Err(anyhow::anyhow!(failure)),
            None => Ok(()),
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}
