//! What every PRISM service stands on. A service's `main` is: [`telemetry::init`],
//! [`config::load`], build the application, serve it with [`http::serve`].
//!
//! - [`config`]: layered settings (defaults, `deploy/config/base.toml`, the environment's file,
//!   `PRISM__…` for every service, `PRISM_<SERVICE>__…` for one), validated at start; an error
//!   names the key.
//! - [`telemetry`]: tracing (readable locally, JSON in production), OpenTelemetry export when an
//!   endpoint is configured, the W3C propagator, and the Prometheus recorder.
//! - [`http`]: the HTTP edge every service shares: RFC 9457 errors in zh-CN or en, body limits,
//!   request ids, timeouts, `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, JSON extraction
//!   that names the bad field, cursor pagination, graceful serving.
//! - [`auth`]: EdDSA JWTs for people (regulator, expert, publisher, admin) and API keys for
//!   stations.
//! - [`db`]: connecting to SQLite (WAL, `synchronous=FULL`) or PostgreSQL by URL.

pub mod auth;
pub mod config;
pub mod db;
pub mod http;
pub mod telemetry;
