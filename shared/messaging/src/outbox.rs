//! The transactional outbox.

mod entity;
mod relay;

pub use entity::{Column as OutboxColumn, Entity as OutboxEntity, Model as OutboxRow};
pub use relay::{republish_since, Relay, RelaySettings};

use std::sync::Arc;

use chrono::Utc;
use prism_contracts::{Envelope, Event, Lane};
use sea_orm::{
    ActiveModelTrait as _, ConnectionTrait, DbErr, EntityTrait as _, IntoActiveModel as _, Set,
};
use tokio::sync::Notify;

use crate::gate::WriteGate;

/// Stages events in the caller's transaction and wakes the relay after the commit. It also
/// carries the service's [`WriteGate`], since every writer that announces anything holds it.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
    /// The relay's important lane has a publisher of its own, woken by the same commits.
    wake_important: Arc<Notify>,
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
        let trace_context = crate::trace::current_context_json();
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

    /// Writes many events in the caller's transaction, all in the current span's trace, in
    /// a few multi-row statements instead of one per event.
    pub async fn stage_many<T: Event, C: ConnectionTrait>(
        &self,
        conn: &C,
        envelopes: &[Envelope<T>],
    ) -> Result<(), DbErr> {
        let trace = crate::trace::current_context_json();
        let traced: Vec<_> = envelopes.iter().map(|e| (e, trace.as_str())).collect();
        self.stage_traced(conn, &traced).await
    }

    /// Writes many events, each with the trace context it was taken in (see
    /// [`crate::trace::current_context_json`]): for events gathered from several requests
    /// or deliveries and written together.
    pub async fn stage_traced<T: Event, C: ConnectionTrait>(
        &self,
        conn: &C,
        envelopes: &[(&Envelope<T>, &str)],
    ) -> Result<(), DbErr> {
        /// Rows per statement: 8 columns each, well under both databases' parameter limits.
        const CHUNK: usize = 250;
        let now = Utc::now();
        let mut rows = Vec::with_capacity(envelopes.len());
        for (envelope, trace_context) in envelopes {
            let payload = serde_json::to_string(envelope)
                .map_err(|error| DbErr::Custom(format!("encoding {}: {error}", T::TYPE)))?;
            rows.push(OutboxRow {
                id: envelope.id,
                subject: envelope.subject(),
                event_type: envelope.event_type.clone(),
                payload,
                important: envelope.data.lane() == Lane::Important,
                trace_context: (*trace_context).to_owned(),
                created_at: now,
                sent_at: None,
            });
        }
        for chunk in rows.chunks(CHUNK) {
            OutboxEntity::insert_many(chunk.iter().cloned().map(|row| row.into_active_model()))
                .exec(conn)
                .await?;
        }
        Ok(())
    }

    /// Call after the transaction that staged events committed: the relay publishes at once
    /// instead of waiting for its fallback poll.
    pub fn committed(&self) {
        self.wake.notify_one();
        self.wake_important.notify_one();
    }

    /// The service's write gate: enter it before a write transaction.
    pub fn gate(&self) -> &WriteGate {
        &self.gate
    }

    pub(crate) fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    pub(crate) fn important_waker(&self) -> Arc<Notify> {
        self.wake_important.clone()
    }
}
