//! PRISM's contracts: the events services exchange and the subjects they travel on.
//!
//! A newcomer should read this crate first; it is the whole vocabulary of the system.
//!
//! - [`envelope`]: the [`Envelope`] every event travels in (id, type, source, time,
//!   correlation and causation ids, schema version) and the [`Event`] trait that ties a payload
//!   type to its name and subject, so a payload cannot go to the wrong subject.
//! - [`subjects`]: the versioned NATS subjects and the stream each service owns.
//! - [`events`]: one module per owning service, each event named in the past tense.
//! - [`districts`]: the GB/T 2260 district codes every service validates against.
//! - [`domain`]: small shared value types used inside events (report kind, risk level, ...).
//!
//! Rules that keep consumers working across releases: fields are only ever added (new ones are
//! optional or defaulted), a type's name never changes meaning, and every event has a
//! golden-JSON round-trip test under `tests/golden/`.

pub mod districts;
pub mod domain;
pub mod envelope;
pub mod events;
pub mod subjects;

pub use domain::{Casualties, Lane, ReportKind, RiskLevel};
pub use envelope::{DecodeError, Envelope, Event, RawEnvelope};
