//! The transactional outbox.

mod entity;
mod relay;

pub use entity::{Column as OutboxColumn, Entity as OutboxEntity, Model as OutboxRow};
pub use relay::{republish_since, Relay, RelaySettings};

use std::sync::Arc;

use chrono::Utc;
use prism_contracts::{Envelope, Event, Lane};
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, DbErr, Set};
use tokio::sync::Notify;

use crate::gate::WriteGate;

/// Stages events in the caller's transaction and wakes the relay after the commit. It also
/// carries the service's [`WriteGate`], since every writer that announces anything holds it.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
    gate: Arc<WriteGate>,
}

impl Outbox {
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes `envelope` in the same transaction as the change it announces. Nothing is
    /// published until that transaction commits and [`Outbox::committed`] is called.
    pub async fn stage<T: Event, C: ConnectionTrait>(
        &self,
        conn: &C,
        envelope: &Envelope<T>,
    ) -> Result<(), DbErr> {
        let payload = serde_json::to_string(envelope)
            .map_err(|error| DbErr::Custom(format!("encoding {}: {error}", T::TYPE)))?;
        let trace_context = serde_json::to_string(&crate::trace::current_context())
            .map_err(|error| DbErr::Custom(format!("encoding trace context: {error}")))?;
        entity::ActiveModel {
            id: Set(envelope.id),
            subject: Set(envelope.subject()),
            event_type: Set(envelope.event_type.clone()),
            payload: Set(payload),
            important: Set(envelope.data.lane() == Lane::Important),
            trace_context: Set(trace_context),
            created_at: Set(Utc::now()),
            sent_at: Set(None),
        }
        .insert(conn)
        .await
        .map(drop)
    }

    /// Call after the transaction that staged events committed: the relay publishes at once
    /// instead of waiting for its fallback poll.
    pub fn committed(&self) {
        self.wake.notify_one();
    }

    /// The service's write gate: enter it before a write transaction.
    pub fn gate(&self) -> &WriteGate {
        &self.gate
    }

    pub(crate) fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}
