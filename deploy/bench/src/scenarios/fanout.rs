//! Fan-out: one alert to many connected SSE subscribers; time until the last has it, and the
//! notification service's memory per connection.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::json;
use tokio::sync::watch;

use super::{load, sse};
use crate::{report::Outcome, stack::Stack, stats::Latencies};

#[derive(clap::Args)]
pub struct Args {
    /// Connected SSE subscribers.
    #[arg(long, default_value_t = 10_000)]
    subscribers: usize,
}

pub async fn run(stack: &Stack, args: Args) -> anyhow::Result<Outcome> {
    let client = reqwest::Client::new();
    let notification = stack.url("notification")?;
    let regulator = stack.token("regulator")?;
    sse::ensure_subscription(&client, notification, regulator).await?;

    let before = stack.rss_kib("notification");
    let receipts: sse::Receipts = Arc::new(Mutex::new(HashMap::new()));
    let (stop, stopped) = watch::channel(false);
    let connections = sse::connect(
        notification,
        regulator,
        args.subscribers,
        receipts.clone(),
        stopped,
    )
    .await?;
    // Let the server settle its buffers before reading its memory.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = stack.rss_kib("notification");

    let posted = load::post_stamped(stack, 0, "important", 1).await?;
    let (report, sent) = (posted.id.clone(), posted.answered);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = None;
    while Instant::now() < deadline {
        let got = receipts
            .lock()
            .map(|r| r.get(&report).map(Vec::len).unwrap_or(0))
            .unwrap_or(0);
        if got >= args.subscribers {
            last = receipts
                .lock()
                .ok()
                .and_then(|r| r.get(&report).and_then(|v| v.iter().map(|r| r.read).max()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut latency = Latencies::default();
    // The last arrival at a subscriber's socket, by the kernel's stamps at both ends.
    let mut last_arrival = None;
    let delivered = receipts
        .lock()
        .map(|r| {
            let got = r.get(&report).cloned().unwrap_or_default();
            for at in &got {
                latency.record(at.read.saturating_duration_since(sent));
            }
            last_arrival = got.iter().filter_map(|at| at.arrived).max();
            got.len()
        })
        .unwrap_or(0);
    let _ = stop.send(true);
    for connection in connections {
        let _ = connection.await;
    }
    let to_last_read_ms = last.map(|l| l.saturating_duration_since(sent).as_secs_f64() * 1000.0);
    let to_last_ms = last_arrival
        .and_then(|at| at.duration_since(posted.answered_wall).ok())
        .map(|after| after.as_secs_f64() * 1000.0);
    let per_connection_kib = match (before, after) {
        (Some(b), Some(a)) if args.subscribers > 0 => {
            Some(a.saturating_sub(b) as f64 / args.subscribers as f64)
        }
        _ => None,
    };
    let headline = format!(
        "{delivered}/{} delivered; last at its socket after {} ms (read after {} ms); {} KiB per connection",
        args.subscribers,
        to_last_ms.map_or("—".to_owned(), |ms| format!("{ms:.1}")),
        to_last_read_ms.map_or("—".to_owned(), |ms| format!("{ms:.1}")),
        per_connection_kib.map_or("—".to_owned(), |k| format!("{k:.1}")),
    );
    Ok(Outcome {
        scenario: "fanout",
        settings: json!({"subscribers": args.subscribers}),
        figures: json!({
            "delivered": delivered, "to_last_delivery_ms": to_last_ms,
            "to_last_read_ms": to_last_read_ms, "latency": latency.summary(),
            "notification_rss_kib": {"before": before, "after": after},
            "memory_per_connection_kib": per_connection_kib,
            "targets": {"to_last_delivery_ms": 1000.0, "memory_per_connection_kib": 16.0},
        }),
        headline,
    })
}
