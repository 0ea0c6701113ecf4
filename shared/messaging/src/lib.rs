//! Messaging that loses nothing.
//!
//! - [`streams`]: connect to NATS and create or update the JetStream streams at start.
//! - [`outbox`]: the transactional outbox. An event is staged in the same database
//!   transaction as the change it announces; the [`outbox::Relay`], woken by the commit itself,
//!   publishes it with `Nats-Msg-Id` = event id and marks it sent. Sent rows are kept for a
//!   week so that [`outbox::republish_since`] can replay what downstream never saw.
//! - [`consumer`]: durable pull consumers that apply each event exactly once: the inbox row and
//!   the consumer's own writes commit together, the ack comes after the commit, transient
//!   errors are redelivered with backoff, poison goes to the dead-letter stream.
//! - [`gate`]: one SQLite writer at a time, important lane first (PostgreSQL needs no gate).
//! - [`trace`]: the W3C trace context in NATS headers, so one trace follows a report.
//! - [`migration`]: the outbox and inbox tables, for every service's migrator.

pub mod consumer;
pub mod gate;
pub mod migration;
pub mod outbox;
pub mod streams;
pub mod trace;

pub use consumer::{Apply, ApplyError, ConsumerSpec, Outcome};
pub use outbox::{Outbox, Relay, Staged};
