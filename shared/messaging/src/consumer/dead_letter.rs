//! The dead-letter stream: where a consumer puts what it gave up on, with the reason, so a
//! person can look at it and nothing is silently dropped.

use async_nats::{header::NATS_MESSAGE_ID, jetstream, HeaderMap};
use prism_contracts::subjects;

/// Why a message was dead-lettered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadLetterReason {
    /// It cannot be decoded or violates the contract.
    Poison,
    /// It failed transiently on every one of its allowed deliveries.
    MaxDeliveries,
}

impl DeadLetterReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Poison => "poison",
            Self::MaxDeliveries => "max_deliveries",
        }
    }
}

/// Copies `message` to `prism.dlq.<consumer>.<subject>` with the reason and error, and waits
/// for JetStream to store it. Only then may the caller terminate the original.
pub async fn dead_letter(
    js: &jetstream::Context,
    consumer: &str,
    message: &jetstream::Message,
    reason: DeadLetterReason,
    error: &str,
) -> anyhow::Result<()> {
    let mut headers = message.headers.clone().unwrap_or_default();
    let stream_sequence = message
        .info()
        .map(|info| (info.stream.to_owned(), info.stream_sequence, info.delivered))
        .ok();
    if let Some((stream, sequence, delivered)) = &stream_sequence {
        // One dead letter per original message, however often this runs.
        headers.insert(
            NATS_MESSAGE_ID,
            format!("dlq-{consumer}-{stream}-{sequence}").as_str(),
        );
        headers.insert("Prism-Original-Stream", stream.as_str());
        headers.insert("Prism-Original-Sequence", sequence.to_string().as_str());
        headers.insert("Prism-Delivered", delivered.to_string().as_str());
    }
    headers.insert("Prism-Original-Subject", message.subject.as_str());
    headers.insert("Prism-Dead-Letter-Reason", reason.as_str());
    let error: String = error
        .chars()
        .filter(|c| !c.is_control())
        .take(512)
        .collect();
    headers.insert("Prism-Error", error.as_str());
    let subject = subjects::dead_letter(consumer, &message.subject);
    js.publish_with_headers(subject, headers, message.payload.clone())
        .await?
        .await?;
    metrics::counter!("consumer_dead_lettered_total", "consumer" => consumer.to_owned(), "reason" => reason.as_str())
        .increment(1);
    Ok(())
}

#[allow(dead_code)]
fn _assert_headers_type(_: HeaderMap) {}
