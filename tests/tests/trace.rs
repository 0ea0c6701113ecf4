//! One trace follows a report from intake through triage to notification: the trace context
//! rides NATS headers (stored with each outbox event) and becomes each consumer's parent.
//! Spans are checked with OpenTelemetry's in-memory exporter.

use std::time::Duration;

use opentelemetry::trace::{TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use prism_e2e::Stack;
use prism_test_support::eventually;
use serde_json::json;
use tracing_subscriber::{layer::SubscriberExt as _, util::SubscriberInitExt as _};

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.as_str().into_owned())
}

fn consumer_span(spans: &[SpanData], consumer: &str) -> Option<TraceId> {
    spans
        .iter()
        .find(|s| s.name == "consume" && attribute(s, "consumer").as_deref() == Some(consumer))
        .map(|s| s.span_context.trace_id())
}

#[tokio::test]
async fn one_trace_follows_a_report_from_intake_through_triage_to_notification() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("info"))
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("prism-e2e")))
        .init();
    prism_platform::telemetry::install_propagator();

    let stack = Stack::start().await.expect("stack starts");
    let regulator = stack.token("regulator-1", "regulator");
    let (_, key) = stack.station("SH-EC-009", &["310115"]).await;
    let (_, accepted) = stack
        .post(
            "intake",
            "/v1/reports",
            &key,
            json!({"kind": "important", "product": "电动自行车电池", "districts": ["310115"], "content": "楼道充电起火"}),
        )
        .await;
    let report_id = accepted["id"].as_str().expect("report id").to_owned();
    eventually(
        "notification to record the alert",
        Duration::from_secs(20),
        || async {
            let (_, alerts) = stack
                .get("notification", "/v1/alerts", Some(&regulator))
                .await;
            let found = alerts["items"]
                .as_array()?
                .iter()
                .any(|a| a["data"]["report_id"] == report_id.as_str());
            found.then_some(())
        },
    )
    .await;

    let spans = eventually("the consumers' spans", Duration::from_secs(10), || async {
        let _ = provider.force_flush();
        let spans = exporter.get_finished_spans().ok()?;
        (consumer_span(&spans, "triage-reports-important").is_some()
            && consumer_span(&spans, "notification-alerts").is_some())
        .then_some(spans)
    })
    .await;
    let request = spans
        .iter()
        .find(|s| {
            s.name == "http"
                && attribute(s, "method").as_deref() == Some("POST")
                && attribute(s, "path").as_deref() == Some("/v1/reports")
        })
        .expect("intake's request span");
    let trace = request.span_context.trace_id();
    assert_ne!(trace, TraceId::INVALID);
    assert_eq!(
        consumer_span(&spans, "triage-reports-important"),
        Some(trace),
        "triage joined the trace"
    );
    assert_eq!(
        consumer_span(&spans, "notification-alerts"),
        Some(trace),
        "notification joined the trace"
    );
}
