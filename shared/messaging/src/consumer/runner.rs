//! The consumer loop: pull, apply once, ack after commit. Events that are already waiting
//! when the consumer turns to its next work are applied together in one transaction.

use std::sync::Arc;

use anyhow::Context as _;
use async_nats::jetstream::{self, consumer::pull, AckKind};
use futures::StreamExt as _;
use prism_contracts::RawEnvelope;
use sea_orm::DatabaseConnection;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::{
    apply_all, apply_once, dead_letter, Apply, ApplyError, ConsumerSpec, DeadLetterReason, Outcome,
};
use crate::Outbox;

/// Consumes `spec` until `shutdown`: stops pulling, finishes the events in hand, returns.
/// Several instances may run the same spec; JetStream gives each event to one of them and
/// the inbox makes a redelivery harmless.
pub async fn run<A: Apply>(
    js: jetstream::Context,
    db: DatabaseConnection,
    outbox: Outbox,
    spec: ConsumerSpec,
    handler: Arc<A>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let stream = js
        .get_stream(spec.stream)
        .await
        .with_context(|| format!("consumer {}: stream {}", spec.durable, spec.stream))?;
    let config = consumer_config(&spec);
    let consumer = stream
        .create_consumer(config)
        .await
        .with_context(|| format!("creating consumer {}", spec.durable))?;
    tokio::spawn(report_lag(
        consumer.clone(),
        spec.durable.clone(),
        shutdown.clone(),
    ));
    // Enough in hand for every concurrent batch to be full, and no more: what is pulled
    // counts against the ack wait.
    let pull = (spec.concurrency.max(1) * spec.batch.max(1) * 2).min(1_000);
    let messages = consumer
        .stream()
        .max_messages_per_batch(pull)
        .messages()
        .await
        .with_context(|| format!("pulling from {}", spec.durable))?;
    tracing::info!(consumer = %spec.durable, "consuming");

    let context = Arc::new(Context {
        js,
        db,
        outbox,
        spec,
        handler,
    });
    messages
        .take_until(shutdown.cancelled_owned())
        .ready_chunks(context.spec.batch.max(1))
        .for_each_concurrent(context.spec.concurrency.max(1), |pulled| {
            let context = context.clone();
            async move {
                let mut batch = Vec::with_capacity(pulled.len());
                for message in pulled {
                    match message {
                        Ok(message) => batch.push(message),
                        Err(error) => {
                            tracing::warn!(consumer = %context.spec.durable, error = %error, "pull failed");
                        }
                    }
                }
                context.process_batch(batch).await;
            }
        })
        .await;
    Ok(())
}

/// Publishes the consumer's lag (events not yet delivered, and delivered but not yet
/// acknowledged) as gauges until shutdown.
async fn report_lag(
    mut consumer: jetstream::consumer::PullConsumer,
    durable: String,
    shutdown: CancellationToken,
) {
    loop {
        if let Ok(info) = consumer.info().await {
            metrics::gauge!("consumer_pending", "consumer" => durable.clone())
                .set(info.num_pending as f64);
            metrics::gauge!("consumer_ack_pending", "consumer" => durable.clone())
                .set(info.num_ack_pending as f64);
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(10)) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// The JetStream configuration of a consumer spec; every instance must use the same.
pub fn consumer_config(spec: &ConsumerSpec) -> pull::Config {
    pull::Config {
        durable_name: Some(spec.durable.clone()),
        filter_subjects: spec.filter_subjects.clone(),
        ack_policy: jetstream::consumer::AckPolicy::Explicit,
        ack_wait: spec.ack_wait,
        // One more than ours: our own count dead-letters first, so JetStream never drops an
        // event on its own.
        max_deliver: spec.max_deliver + 1,
        max_ack_pending: 10_000,
        ..Default::default()
    }
}

struct Context<A> {
    js: jetstream::Context,
    db: DatabaseConnection,
    outbox: Outbox,
    spec: ConsumerSpec,
    handler: Arc<A>,
}

impl<A: Apply> Context<A> {
    /// Applies messages that arrived together in one transaction. If any of them fails, none
    /// is committed and each is applied on its own, so only the failing one is retried or
    /// dead-lettered.
    async fn process_batch(&self, messages: Vec<jetstream::Message>) {
        if messages.len() <= 1 {
            for message in messages {
                self.process(message).await;
            }
            return;
        }
        let consumer = self.spec.durable.as_str();
        let mut decoded = Vec::with_capacity(messages.len());
        let mut events = Vec::with_capacity(messages.len());
        for message in messages {
            match self.decode(&message) {
                Ok((event, span)) => {
                    events.push((event, span));
                    decoded.push(message);
                }
                Err(error) => {
                    self.give_up(&message, DeadLetterReason::Poison, &error)
                        .await;
                }
            }
        }
        self.handler.prepare(&self.db, &events).await;
        let result = {
            let waiting = std::time::Instant::now();
            let _turn = self
                .outbox
                .gate()
                .enter(&self.db, self.spec.is_important_lane())
                .await;
            let applying = std::time::Instant::now();
            metrics::histogram!("consumer_gate_wait_seconds", "consumer" => consumer.to_owned())
                .record((applying - waiting).as_secs_f64());
            let result = apply_all(&self.db, consumer, events, self.handler.as_ref()).await;
            metrics::histogram!("consumer_apply_seconds", "consumer" => consumer.to_owned())
                .record(applying.elapsed().as_secs_f64());
            result
        };
        let outcomes = match result {
            Ok(outcomes) => outcomes,
            Err(error) => {
                tracing::debug!(consumer, error = %error, "batch failed; applying its events one by one");
                for message in decoded {
                    self.process(message).await;
                }
                return;
            }
        };
        if outcomes.contains(&Outcome::Applied) {
            self.outbox.committed();
            self.handler.committed();
        }
        metrics::histogram!("consumer_batch_events", "consumer" => consumer.to_owned())
            .record(outcomes.len() as f64);
        for outcome in &outcomes {
            count(consumer, *outcome);
        }
        // The commit happened; a lost ack means a redelivery, which the inbox ignores.
        let acks = decoded.iter().map(|message| message.ack());
        for result in futures::future::join_all(acks).await {
            if let Err(error) = result {
                tracing::warn!(consumer, error = %error, "ack failed; the event will be redelivered and ignored");
            }
        }
    }

    /// The event in `message` and the span it is applied in, continuing the trace its
    /// headers carry; or why it cannot be decoded.
    fn decode(&self, message: &jetstream::Message) -> Result<(RawEnvelope, tracing::Span), String> {
        let delivered = message.info().map(|info| info.delivered).unwrap_or(1);
        let event = RawEnvelope::from_slice(&message.payload).map_err(|error| error.to_string())?;
        let span = tracing::info_span!(
            "consume",
            consumer = self.spec.durable.as_str(),
            subject = %message.subject,
            event_type = %event.event_type,
            event_id = %event.id,
            correlation_id = %event.correlation_id,
            delivered,
        );
        crate::trace::adopt(&span, message.headers.as_ref());
        Ok((event, span))
    }

    async fn process(&self, message: jetstream::Message) {
        let consumer = self.spec.durable.as_str();
        let delivered = message.info().map(|info| info.delivered).unwrap_or(1);
        let (event, span) = match self.decode(&message) {
            Ok(decoded) => decoded,
            Err(error) => {
                return self
                    .give_up(&message, DeadLetterReason::Poison, &error)
                    .await;
            }
        };
        let result = async {
            let _turn = self
                .outbox
                .gate()
                .enter(&self.db, self.spec.is_important_lane())
                .await;
            apply_once(&self.db, consumer, event, self.handler.as_ref()).await
        }
        .instrument(span.clone())
        .await;
        let _entered = span.enter();
        match result {
            Ok(outcome) => {
                if outcome == Outcome::Applied {
                    self.outbox.committed();
                    self.handler.committed();
                }
                count(consumer, outcome);
                // The commit happened; if this ack is lost, the redelivery hits the inbox.
                if let Err(error) = message.ack().await {
                    tracing::warn!(error = %error, "ack failed; the event will be redelivered and ignored");
                }
            }
            Err(ApplyError::Permanent(error)) => {
                self.give_up(&message, DeadLetterReason::Poison, &format!("{error:#}"))
                    .await;
            }
            Err(ApplyError::Transient(error)) if delivered >= self.spec.max_deliver => {
                self.give_up(
                    &message,
                    DeadLetterReason::MaxDeliveries,
                    &format!("{error:#}"),
                )
                .await;
            }
            Err(ApplyError::Transient(error)) => {
                let delay = self.spec.backoff_after(delivered);
                tracing::warn!(error = %format!("{error:#}"), ?delay, "transient failure; redelivering later");
                metrics::counter!("consumer_events_total", "consumer" => consumer.to_owned(), "outcome" => "retried")
                    .increment(1);
                if let Err(error) = message.ack_with(AckKind::Nak(Some(delay))).await {
                    tracing::warn!(error = %error, "nak failed; JetStream redelivers after ack wait");
                }
            }
        }
    }

    /// Dead-letters the message, then terminates it. If the dead letter cannot be stored,
    /// the message is left for redelivery rather than dropped.
    async fn give_up(&self, message: &jetstream::Message, reason: DeadLetterReason, error: &str) {
        let consumer = self.spec.durable.as_str();
        tracing::error!(consumer, subject = %message.subject, ?reason, error, "dead-lettering");
        match dead_letter(&self.js, consumer, message, reason, error).await {
            Ok(()) => {
                if let Err(error) = message.ack_with(AckKind::Term).await {
                    tracing::warn!(error = %error, "term failed after dead-lettering");
                }
            }
            Err(error) => {
                tracing::error!(error = ?error, "dead letter not stored; leaving the message for redelivery");
                let delay = self.spec.backoff_after(1);
                let _ = message.ack_with(AckKind::Nak(Some(delay))).await;
            }
        }
    }
}

fn count(consumer: &str, outcome: Outcome) {
    let label = match outcome {
        Outcome::Applied => "applied",
        Outcome::AlreadyApplied => "duplicate",
    };
    metrics::counter!("consumer_events_total", "consumer" => consumer.to_owned(), "outcome" => label)
        .increment(1);
}
