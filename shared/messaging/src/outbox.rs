//! The transactional outbox.

mod entity;
mod relay;

pub use entity::{Column as OutboxColumn, Entity as OutboxEntity, Model as OutboxRow};
pub use relay::{republish_since, Relay, RelaySettings};

use std::sync::{Arc, Mutex};

use chrono::Utc;
use prism_contracts::{Envelope, Event, Lane};
use sea_orm::{
    ActiveModelTrait as _, ConnectionTrait, DbErr, EntityTrait as _, IntoActiveModel as _,
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
    /// Important events committed and handed to the relay as they are, so that it
    /// publishes them without reading them back (see [`Outbox::committed_with`]).
    handed: Arc<Mutex<Vec<OutboxRow>>>,
    wake_handed: Arc<Notify>,
    gate: Arc<WriteGate>,
}

/// The most committed events waiting in memory for the relay. Past it a commit hands
/// nothing over and the relay reads its events from the table, as it does for every commit
/// that hands nothing over: the hand-off is a shortcut, never the only way out.
const HANDED_MAX: usize = 1024;

/// What a transaction staged for the important lane, to hand to the relay once it commits.
#[derive(Debug, Default)]
pub struct Staged(Vec<OutboxRow>);

impl Staged {
    fn of(rows: impl IntoIterator<Item = OutboxRow>) -> Self {
        Self(rows.into_iter().filter(|row| row.important).collect())
    }
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
    ) -> Result<Staged, DbErr> {
        let row = row_of(envelope, crate::trace::current_context_json(), Utc::now())?;
        let stored = row.into_active_model().insert(conn).await?;
        Ok(Staged::of([stored]))
    }

    /// Writes many events in the caller's transaction, all in the current span's trace, in
    /// a few multi-row statements instead of one per event.
    pub async fn stage_many<T: Event, C: ConnectionTrait>(
        &self,
        conn: &C,
        envelopes: &[Envelope<T>],
    ) -> Result<Staged, DbErr> {
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
    ) -> Result<Staged, DbErr> {
        /// Rows per statement: 8 columns each, well under both databases' parameter limits.
        const CHUNK: usize = 250;
        let now = Utc::now();
        let rows = envelopes
            .iter()
            .map(|(envelope, trace_context)| row_of(envelope, (*trace_context).to_owned(), now))
            .collect::<Result<Vec<_>, _>>()?;
        for chunk in rows.chunks(CHUNK) {
            OutboxEntity::insert_many(chunk.iter().cloned().map(|row| row.into_active_model()))
                .exec(conn)
                .await?;
        }
        Ok(Staged::of(rows))
    }

    /// Call after the transaction that staged events committed: the relay publishes at once
    /// instead of waiting for its fallback poll.
    pub fn committed(&self) {
        self.committed_with(Staged::default());
    }

    /// As [`Outbox::committed`], and hands the important events the transaction staged
    /// straight to the relay, which publishes them at once instead of first reading them
    /// back from the table. Call it only after the commit: what is handed over goes out.
    pub fn committed_with(&self, staged: Staged) {
        self.wake.notify_one();
        if staged.0.is_empty() {
            self.wake_important.notify_one();
            return;
        }
        let handed = match self.handed.lock() {
            Ok(mut handed) if handed.len() + staged.0.len() <= HANDED_MAX => {
                handed.extend(staged.0);
                true
            }
            _ => false,
        };
        if handed {
            self.wake_handed.notify_one();
        } else {
            self.wake_important.notify_one();
        }
    }

    /// The committed important events handed over so far, oldest first.
    pub(crate) fn take_handed(&self) -> Vec<OutboxRow> {
        self.handed
            .lock()
            .map(|mut handed| std::mem::take(&mut *handed))
            .unwrap_or_default()
    }

    pub(crate) fn handed_waker(&self) -> Arc<Notify> {
        self.wake_handed.clone()
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

/// The outbox row that carries `envelope`.
fn row_of<T: Event>(
    envelope: &Envelope<T>,
    trace_context: String,
    created_at: chrono::DateTime<Utc>,
) -> Result<OutboxRow, DbErr> {
    let payload = serde_json::to_string(envelope)
        .map_err(|error| DbErr::Custom(format!("encoding {}: {error}", T::TYPE)))?;
    Ok(OutboxRow {
        id: envelope.id,
        subject: envelope.subject(),
        event_type: envelope.event_type.clone(),
        payload,
        important: envelope.data.lane() == Lane::Important,
        trace_context,
        created_at,
        sent_at: None,
    })
}
