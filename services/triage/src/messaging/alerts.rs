//! The alert's path. On SQLite every transaction waits for the one write lock, so an alert
//! staged in an outbox would wait behind whatever routine work holds it. This durable consumer
//! (`triage-alerts`, on the important lane's subject) touches no database: it judges the
//! report and publishes `AlertRaised` at once, and acknowledges the report only once
//! JetStream has stored the alert, so a failure is retried. The alert's ids are derived from
//! the report (time-ordered by when intake received it, so readers can page and replay by
//! id), so a crash between publication and acknowledgement republishes the same alert: JetStream
//! drops it as a duplicate, and consumers' inboxes and delivery records drop what is older.
//! The report consumer records the alert in the database; it stages the event itself only for
//! a routine report raised to important.

use async_nats::{
    header::NATS_MESSAGE_ID,
    jetstream::{self, consumer::pull, AckKind},
    HeaderMap,
};
use chrono::Utc;
use futures::StreamExt as _;
use prism_contracts::{
    events::{intake::ReportReceived, triage::AlertRaised},
    subjects::v1,
    Envelope, Event as _, Lane, RawEnvelope,
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{
    domain::importance::{Importance, Lexicon},
    NAME,
};

/// The fast path's durable consumer.
pub const DURABLE: &str = "triage-alerts";

/// Runs the alert consumer on a thread of its own, with its own runtime and NATS
/// connection, until `shutdown`. Classification keeps the service's runtime busy, and a
/// busy runtime polls its sockets only between tasks: with a backlog being classified,
/// alerts waited tens of milliseconds for their turn (alert p99 47 ms with the backlog
/// classified at 2,000 reports/s, `alert_latency` example). A thread that sleeps until a
/// report arrives is woken by the operating system at once.
///
/// The thread starts now, from the calling thread, and so never takes a bulk runtime's nice
/// value; it is urgent (`SCHED_FIFO`, `prism_runtime::priority::urgent`), since it sleeps
/// until a report comes and then only judges it and publishes. The returned future finishes
/// when the consumer stops.
pub fn run_apart(
    url: String,
    lexicon: Lexicon,
    shutdown: CancellationToken,
) -> impl std::future::Future<Output = anyhow::Result<()>> {
    prism_runtime::priority::run_apart(DURABLE, move || {
        prism_runtime::priority::urgent::make_this_thread_urgent();
        async move {
            let client = prism_messaging::streams::connect(&url, DURABLE).await?;
            run(jetstream::new(client), lexicon, shutdown).await
        }
    })
}

/// A UUIDv7 stamped with when intake received the report and filled with bits derived from
/// the report and `purpose`: the same report always gives the same id.
fn derived_id(received: &Envelope<ReportReceived>, purpose: &[u8]) -> Uuid {
    let millis = u64::try_from(received.data.received_at.timestamp_millis()).unwrap_or(0);
    let seed = Uuid::new_v5(&received.data.report_id, purpose);
    let mut random = [0_u8; 10];
    random.copy_from_slice(&seed.as_bytes()[..10]);
    uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
}

/// The alert for an important report. Its ids are derived from the report, so raising it
/// twice raises the same alert.
pub fn alert(received: &Envelope<ReportReceived>, verdict: &Importance) -> Envelope<AlertRaised> {
    let report = &received.data;
    let now = Utc::now();
    let alert = AlertRaised {
        alert_id: derived_id(received, b"alert"),
        report_id: report.report_id,
        product: report.product.clone(),
        category: report.category.clone(),
        districts: report.districts.clone(),
        hazards: verdict.hazards.clone(),
        casualties: report.casualties,
        station_id: report.station_id,
        station_code: report.station_code.clone(),
        level: verdict.level,
        reason: verdict.reason.clone().unwrap_or_default(),
        received_at: report.received_at,
        raised_at: now,
    };
    let mut envelope = Envelope::caused_by(NAME, received, alert);
    envelope.id = derived_id(received, b"alert.raised event");
    envelope
}

/// Publishes alerts for important reports until `shutdown`.
pub async fn run(
    js: jetstream::Context,
    lexicon: Lexicon,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let stream = js
        .get_stream(v1::reports_stream(Lane::Important).name)
        .await?;
    let consumer = stream
        .get_or_create_consumer(
            DURABLE,
            pull::Config {
                durable_name: Some(DURABLE.to_owned()),
                filter_subject: v1::report_received(Lane::Important),
                ack_policy: jetstream::consumer::AckPolicy::Explicit,
                ack_wait: std::time::Duration::from_secs(10),
                ..Default::default()
            },
        )
        .await?;
    let mut messages = consumer.messages().await?;
    loop {
        let message = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            message = messages.next() => message,
        };
        let Some(message) = message else {
            return Ok(());
        };
        let Ok(message) = message else {
            continue;
        };
        let ack = match publish(&js, &lexicon, &message).await {
            Ok(()) => AckKind::Ack,
            Err(error) if error.is::<prism_contracts::DecodeError>() => {
                // Undecodable: the report consumer dead-letters it.
                AckKind::Term
            }
            Err(error) => {
                tracing::warn!(error = ?error, "alert not published; retrying");
                AckKind::Nak(Some(std::time::Duration::from_millis(500)))
            }
        };
        let _ = message.ack_with(ack).await;
    }
}

async fn publish(
    js: &jetstream::Context,
    lexicon: &Lexicon,
    message: &jetstream::Message,
) -> anyhow::Result<()> {
    let received = RawEnvelope::from_slice(&message.payload)?.decode::<ReportReceived>()?;
    let report = &received.data;
    let text = super::reports::text_of(report);
    let verdict = lexicon.judge(report.kind, report.casualties, &text, &report.hazards);
    if !verdict.important {
        return Ok(());
    }
    let envelope = alert(&received, &verdict);
    let mut headers = HeaderMap::new();
    headers.insert(NATS_MESSAGE_ID, envelope.id.to_string().as_str());
    headers.insert("Prism-Event-Type", AlertRaised::TYPE);
    // The trace goes on from the report's.
    for name in ["traceparent", "tracestate"] {
        if let Some(value) = message.headers.as_ref().and_then(|h| h.get(name)) {
            headers.insert(name, value.as_str());
        }
    }
    js.publish_with_headers(
        envelope.subject(),
        headers,
        serde_json::to_vec(&envelope)?.into(),
    )
    .await?
    .await?;
    metrics::counter!("triage_alerts_published_total").increment(1);
    Ok(())
}
