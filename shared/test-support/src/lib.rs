//! Real components for PRISM's tests, each private to one test:
//!
//! - [`NatsServer`]: a pinned `nats-server` on a free port with its own store directory,
//!   JetStream with `sync_interval: always`; it can be stopped and restarted in place.
//! - [`TestDatabase`]: a fresh SQLite file or PostgreSQL database, per `PRISM_TEST_DB`
//!   (`sqlite`, the default, or `postgres` with `PRISM_TEST_PG_URL`).
//! - [`TestKeys`]: an Ed25519 key pair that signs JWTs the services accept.
//! - [`eventually`]: waits for a condition without fixed sleeps.
//! - [`threads`]: how this process's threads are scheduled.

mod database;
mod keys;
mod nats;
pub mod threads;

pub use database::TestDatabase;
pub use keys::TestKeys;
pub use nats::NatsServer;

use std::{future::Future, time::Duration};

/// Polls `check` until it returns `Some`, or panics with `what` after `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The workspace root (where `.tools/` lives).
pub fn workspace_root() -> std::path::PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}
