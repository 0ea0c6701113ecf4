//! Regulators' SSE connections: each records when it received which report's alert.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use futures::StreamExt as _;
use tokio::sync::watch;

/// When each subscriber saw each report's alert.
pub type Receipts = Arc<Mutex<HashMap<String, Vec<Instant>>>>;

/// Makes sure the regulator has a stream subscription that hears every alert.
pub async fn ensure_subscription(
    client: &reqwest::Client,
    notification: &str,
    token: &str,
) -> anyhow::Result<()> {
    let existing: serde_json::Value = client
        .get(format!("{notification}/v1/subscriptions"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let has_stream = existing.as_array().is_some_and(|subs| {
        subs.iter().any(|s| {
            s["channel"]["type"] == "stream"
                && s["filters"]["districts"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
                && s["filters"]["event_types"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
        })
    });
    if !has_stream {
        client
            .post(format!("{notification}/v1/subscriptions"))
            .bearer_auth(token)
            .json(&serde_json::json!({"channel": {"type": "stream"}}))
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// Opens `count` SSE connections and records each alert's arrival per report id.
/// Returns once every connection is open (the server answered 200).
pub async fn connect(
    notification: &str,
    token: &str,
    count: usize,
    receipts: Receipts,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    // One HTTP/1.1 connection per subscriber, as separate regulators' browsers would have.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let mut handles = Vec::with_capacity(count);
    for _ in 0..count {
        let response = client
            .get(format!("{notification}/v1/stream"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?;
        let receipts = receipts.clone();
        let mut stop = stop.clone();
        handles.push(tokio::spawn(async move {
            let mut events = eventsource_stream::Eventsource::eventsource(response.bytes_stream());
            loop {
                tokio::select! {
                    event = events.next() => {
                        let Some(Ok(event)) = event else { return };
                        if event.event != "alert" {
                            continue;
                        }
                        let at = Instant::now();
                        let report = serde_json::from_str::<serde_json::Value>(&event.data)
                            .ok()
                            .and_then(|d| d["report_id"].as_str().map(str::to_owned));
                        if let (Some(report), Ok(mut receipts)) = (report, receipts.lock()) {
                            receipts.entry(report).or_default().push(at);
                        }
                    }
                    _ = stop.changed() => return,
                }
            }
        }));
    }
    Ok(handles)
}
