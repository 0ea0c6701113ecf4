//! Staging many events in one statement. `Outbox::stage` writes one row per call; a batch of
//! 1,000 reports would spend most of its transaction on 1,000 single-row inserts. These rows
//! are exactly what `stage` writes (same columns, payload and trace context), inserted in
//! chunks. (Asked for upstream as `Outbox::stage_many`; this goes when that exists.)

use chrono::Utc;
use prism_contracts::{Envelope, Event, Lane};
use prism_messaging::outbox::{OutboxEntity, OutboxRow};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait as _, IntoActiveModel as _};

/// Rows per statement: 8 columns each, well under both databases' parameter limits.
const CHUNK: usize = 250;

/// The W3C trace context of the current span, as the outbox stores it. Taken where the
/// request is handled, so that an event staged elsewhere (the group commit's writer) still
/// continues the request's trace.
pub fn trace_context() -> String {
    serde_json::to_string(&prism_messaging::trace::current_context()).unwrap_or_default()
}

/// Writes `envelopes` into the outbox in the caller's transaction, all with the current
/// span's trace context.
pub async fn stage_many<T: Event, C: ConnectionTrait>(
    conn: &C,
    envelopes: &[Envelope<T>],
) -> Result<(), DbErr> {
    let trace = trace_context();
    let traced: Vec<(&Envelope<T>, &str)> = envelopes.iter().map(|e| (e, trace.as_str())).collect();
    stage_traced(conn, &traced).await
}

/// Writes each envelope with its own trace context.
pub async fn stage_traced<T: Event, C: ConnectionTrait>(
    conn: &C,
    envelopes: &[(&Envelope<T>, &str)],
) -> Result<(), DbErr> {
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
