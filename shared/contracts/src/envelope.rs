//! The envelope every event travels in, and the trait that binds a payload to its subject.

use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

use crate::Lane;

/// A payload that PRISM publishes. Each type knows its name, schema version and subject, so
/// a payload cannot be sent to the wrong subject.
pub trait Event: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stable type name, e.g. `report.received`; never reused for another meaning.
    const TYPE: &'static str;
    /// Bumped only when a field is added; consumers accept every version up to theirs.
    const SCHEMA_VERSION: u32;

    /// The NATS subject this event is published on.
    fn subject(&self) -> String;

    /// The lane the event travels in; routine unless the event says otherwise.
    fn lane(&self) -> Lane {
        Lane::Routine
    }
}

/// An event with its metadata, as it travels on NATS and as it is stored in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// UUIDv7: unique and time-ordered; also the `Nats-Msg-Id` that JetStream deduplicates on
    /// and the key of every consumer's inbox.
    pub id: Uuid,
    /// [`Event::TYPE`] of the payload.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The service that published it.
    pub source: String,
    /// When the change it announces was committed.
    pub time: DateTime<Utc>,
    /// The id shared by every event that follows from one outside request (e.g. one report).
    pub correlation_id: Uuid,
    /// The event that caused this one, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// [`Event::SCHEMA_VERSION`] of the payload when it was written.
    pub schema_version: u32,
    /// The payload.
    pub data: T,
}

impl<T: Event> Envelope<T> {
    /// Wraps a payload that starts a new chain of events (its correlation id is its own id).
    pub fn new(source: &str, data: T) -> Self {
        let id = Uuid::now_v7();
        Self {
            id,
            event_type: T::TYPE.to_owned(),
            source: source.to_owned(),
            time: Utc::now(),
            correlation_id: id,
            causation_id: None,
            schema_version: T::SCHEMA_VERSION,
            data,
        }
    }

    /// Wraps a payload caused by another event: same correlation, causation = that event.
    pub fn caused_by<U>(source: &str, cause: &Envelope<U>, data: T) -> Self {
        let mut envelope = Self::new(source, data);
        envelope.correlation_id = cause.correlation_id;
        envelope.causation_id = Some(cause.id);
        envelope
    }

    /// The subject of the payload.
    pub fn subject(&self) -> String {
        self.data.subject()
    }
}

/// An envelope whose payload is not decoded yet: what a consumer sees first.
pub type RawEnvelope = Envelope<serde_json::Value>;

/// Why a message could not be read as an event. Always permanent: retrying cannot help.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("message is not a PRISM envelope: {0}")]
    NotAnEnvelope(serde_json::Error),
    #[error("expected event type {expected}, got {actual}")]
    WrongType {
        expected: &'static str,
        actual: String,
    },
    #[error("payload of {event_type} does not match its schema: {source}")]
    BadPayload {
        event_type: String,
        source: serde_json::Error,
    },
}

impl RawEnvelope {
    /// Reads the envelope of a message, leaving the payload for later.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, DecodeError> {
        serde_json::from_slice(bytes).map_err(DecodeError::NotAnEnvelope)
    }

    /// Decodes the payload as `T`, checking the type name first.
    pub fn decode<T: Event>(self) -> Result<Envelope<T>, DecodeError> {
        if self.event_type != T::TYPE {
            return Err(DecodeError::WrongType {
                expected: T::TYPE,
                actual: self.event_type,
            });
        }
        let data = serde_json::from_value(self.data).map_err(|source| DecodeError::BadPayload {
            event_type: self.event_type.clone(),
            source,
        })?;
        Ok(Envelope {
            id: self.id,
            event_type: self.event_type,
            source: self.source,
            time: self.time,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            schema_version: self.schema_version,
            data,
        })
    }
}
