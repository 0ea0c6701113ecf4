//! The W3C trace context in NATS headers.
//!
//! On publish the context of the span that staged the event is written into the headers; on
//! consume it becomes the parent of the consumer's span. The outbox stores the context with
//! the event, because the relay publishes later, outside the request's span.

use std::collections::HashMap;

use opentelemetry::propagation::Extractor;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The current span's trace context as header pairs (`traceparent`, `tracestate`).
pub fn current_context() -> HashMap<String, String> {
    let context = tracing::Span::current().context();
    let mut carrier = HashMap::new();
    opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.inject_context(&context, &mut carrier);
    });
    carrier
}

/// The current span's trace context as the outbox stores it. Take it where the work is
/// done, so that an event staged elsewhere (a writer gathering many requests) still
/// continues that work's trace.
pub fn current_context_json() -> String {
    serde_json::to_string(&current_context()).unwrap_or_default()
}

/// Writes stored trace-context pairs into NATS headers.
pub fn inject(carrier: &HashMap<String, String>, headers: &mut async_nats::HeaderMap) {
    for (key, value) in carrier {
        headers.insert(key.as_str(), value.as_str());
    }
}

/// Makes the trace context of received headers the parent of `span`.
pub fn adopt(span: &tracing::Span, headers: Option<&async_nats::HeaderMap>) {
    let Some(headers) = headers else {
        return;
    };
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&NatsHeaders(headers))
    });
    // An error only means OpenTelemetry is not installed; the span stays a root then.
    let _ = span.set_parent(parent);
}

struct NatsHeaders<'a>(&'a async_nats::HeaderMap);

impl Extractor for NatsHeaders<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|value| value.as_str())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(name, _)| name.as_ref()).collect()
    }
}
