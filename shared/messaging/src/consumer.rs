//! Durable pull consumers that apply each event exactly once.

mod dead_letter;
mod inbox;
mod runner;

pub use dead_letter::{dead_letter, DeadLetterReason};
pub use inbox::{apply_all, apply_once, Entity as InboxEntity};
pub use runner::{consumer_config, run};

use std::{future::Future, time::Duration};

use prism_contracts::RawEnvelope;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

/// A durable consumer of one stream.
#[derive(Debug, Clone)]
pub struct ConsumerSpec {
    /// The stream to consume.
    pub stream: &'static str,
    /// Durable name, shared by every instance of the service (they split the work).
    pub durable: String,
    /// Subjects to receive.
    pub filter_subjects: Vec<String>,
    /// Deliveries before a failing event goes to the dead-letter stream.
    pub max_deliver: i64,
    /// How long a delivery may go unacknowledged before JetStream redelivers it.
    pub ack_wait: Duration,
    /// Redelivery delays after transient errors; the last one repeats.
    pub backoff: Vec<Duration>,
    /// Events processed at once by one instance.
    pub concurrency: usize,
    /// Most events applied in one transaction. Events already waiting when a consumer turns
    /// to its next work share one commit, so a backlog pays one durable write per batch; an
    /// event that arrives alone is applied alone, at once.
    pub batch: usize,
}

impl ConsumerSpec {
    /// A consumer with the defaults: 5 deliveries, 30 s ack wait, backoff 1 s, 5 s, 30 s,
    /// one event at a time in batches of up to 64.
    pub fn new(stream: &'static str, durable: impl Into<String>, subjects: &[&str]) -> Self {
        Self {
            stream,
            durable: durable.into(),
            filter_subjects: subjects.iter().map(|s| (*s).to_owned()).collect(),
            max_deliver: 5,
            ack_wait: Duration::from_secs(30),
            backoff: vec![
                Duration::from_secs(1),
                Duration::from_secs(5),
                Duration::from_secs(30),
            ],
            concurrency: 1,
            batch: 64,
        }
    }

    /// Whether this consumer carries the important lane: it reads one of the lane's streams.
    /// Its writes go ahead of routine ones (see [`crate::gate`]).
    pub fn is_important_lane(&self) -> bool {
        prism_contracts::subjects::v1::IMPORTANT_LANE
            .iter()
            .any(|s| s.name == self.stream)
    }

    /// The redelivery delay after the `delivered`-th failed delivery.
    pub fn backoff_after(&self, delivered: i64) -> Duration {
        let index = usize::try_from(delivered.saturating_sub(1)).unwrap_or(0);
        self.backoff
            .get(index)
            .or(self.backoff.last())
            .copied()
            .unwrap_or(Duration::from_secs(1))
    }
}

/// Why applying an event failed, and so what to do with it.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Might work later (database busy, dependency down): redeliver after a backoff.
    #[error("transient: {0:#}")]
    Transient(anyhow::Error),
    /// Will never work (undecodable, violates the contract): dead-letter it now.
    #[error("permanent: {0:#}")]
    Permanent(anyhow::Error),
}

impl From<sea_orm::DbErr> for ApplyError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Transient(error.into())
    }
}

impl From<prism_contracts::DecodeError> for ApplyError {
    fn from(error: prism_contracts::DecodeError) -> Self {
        Self::Permanent(error.into())
    }
}

/// What became of a delivered event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Applied now.
    Applied,
    /// Applied before (a redelivery or a duplicate): acknowledged and ignored.
    AlreadyApplied,
}

/// A consumer's handling of one event, inside the transaction that also records it in the
/// inbox. Stage outgoing events in the same transaction (see [`crate::Outbox::stage`]).
pub trait Apply: Send + Sync + 'static {
    fn apply(
        &self,
        txn: &DatabaseTransaction,
        event: RawEnvelope,
    ) -> impl Future<Output = Result<(), ApplyError>> + Send;

    /// Called after a transaction that applied at least one event has committed: for work
    /// that must not start before the commit, such as waking a worker that reads what the
    /// transaction wrote.
    fn committed(&self) {}

    /// Called with a batch before its transaction, outside the write gate: for reads a
    /// handler can do ahead, while another writer holds SQLite's write lock, and keep for
    /// [`Apply::apply_many`]. What it reads may change before the transaction starts, so
    /// the handler must check, inside the transaction, what its decisions depend on. By
    /// default nothing.
    fn prepare(
        &self,
        db: &DatabaseConnection,
        events: &[(RawEnvelope, tracing::Span)],
    ) -> impl Future<Output = ()> + Send {
        let _ = (db, events);
        async {}
    }

    /// Applies events that arrived together, in order, in one transaction, each inside its
    /// own span. A handler whose writes can be gathered into multi-row statements
    /// overrides this; by default it is [`Apply::apply`] for each.
    fn apply_many(
        &self,
        txn: &DatabaseTransaction,
        events: Vec<(RawEnvelope, tracing::Span)>,
    ) -> impl Future<Output = Result<(), ApplyError>> + Send {
        use tracing::Instrument as _;
        async move {
            for (event, span) in events {
                self.apply(txn, event).instrument(span).await?;
            }
            Ok(())
        }
    }
}
