//! Burst: a station uploads a large number of routine reports through the batch endpoint as
//! fast as it can while important reports keep arriving. Intake's throughput, the time until
//! triage has drained the backlog, and the important alerts' latency during the burst.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use futures::{stream, StreamExt as _};
use serde_json::json;
use tokio::sync::watch;

use super::{load, sse};
use crate::{report::Outcome, stack::Stack, stats::Latencies};

#[derive(clap::Args)]
pub struct Args {
    /// Routine reports in the burst.
    #[arg(long, default_value_t = 100_000)]
    reports: usize,
    /// Reports per batch request (intake takes up to 1,000).
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Batch requests in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Important reports per second during the burst.
    #[arg(long, default_value_t = 10)]
    important_rate: u64,
    /// SSE subscribers listening for the important alerts.
    #[arg(long, default_value_t = 10)]
    subscribers: usize,
}

pub async fn run(stack: &Stack, args: Args) -> anyhow::Result<Outcome> {
    let client = reqwest::Client::new();
    let notification = stack.url("notification")?;
    let regulator = stack.token("regulator")?;
    sse::ensure_subscription(&client, notification, regulator).await?;
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

    let (burst_done, mut burst_running) = watch::channel(false);
    let important = {
        let (client, stack) = (client.clone(), stack.clone());
        let rate = args.important_rate.max(1);
        tokio::spawn(async move {
            let mut sent = Vec::new();
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            let mut n = 0_u64;
            while !*burst_running.borrow() {
                tokio::select! {
                    _ = tick.tick() => {
                        n += 1;
                        if let Ok(s) = load::post(&client, &stack, n as usize, "important", n).await {
                            sent.push(s);
                        }
                    }
                    _ = burst_running.changed() => {}
                }
            }
            sent
        })
    };

    let started = Instant::now();
    let batches = args.reports.div_ceil(args.batch.max(1));
    let station = stack
        .stations
        .first()
        .ok_or_else(|| anyhow::anyhow!("no station"))?
        .clone();
    let district = station
        .districts
        .first()
        .cloned()
        .unwrap_or_else(|| "310115".to_owned());
    let intake = stack.url("intake")?.to_owned();
    let outcomes: Vec<anyhow::Result<(usize, Option<String>)>> = stream::iter(0..batches)
        .map(|b| {
            let (client, intake, key, district) = (
                client.clone(),
                intake.clone(),
                station.api_key.clone(),
                district.clone(),
            );
            let size = args.batch.min(args.reports - b * args.batch);
            async move {
                let reports: Vec<_> = (0..size)
                    .map(|i| load::body("routine", (b * args.batch + i) as u64, &district))
                    .collect();
                let response = client
                    .post(format!("{intake}/v1/reports/batch"))
                    .bearer_auth(&key)
                    .json(&json!({"reports": reports}))
                    .send()
                    .await?;
                anyhow::ensure!(
                    response.status().is_success(),
                    "batch answered {}",
                    response.status()
                );
                let body: serde_json::Value = response.json().await?;
                let accepted = body["accepted"].as_u64().unwrap_or(0) as usize;
                let last = body["results"]
                    .as_array()
                    .and_then(|r| r.last())
                    .and_then(|r| r["id"].as_str())
                    .map(str::to_owned);
                Ok((accepted, last))
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    let accepted_in = started.elapsed();
    let _ = burst_done.send(true);
    let mut accepted = 0;
    let mut last_ids = Vec::new();
    for outcome in outcomes {
        let (n, last) = outcome?;
        accepted += n;
        last_ids.extend(last);
    }

    // Drained when the last report of every batch has been classified.
    let triage = stack.url("triage")?;
    let mut drained_in = None;
    let deadline = Instant::now() + Duration::from_secs(600);
    'wait: while Instant::now() < deadline {
        for id in last_ids.iter().rev().take(8) {
            let status = client
                .get(format!("{triage}/v1/classifications/{id}"))
                .bearer_auth(regulator)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            if status != 200 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue 'wait;
            }
        }
        drained_in = Some(started.elapsed());
        break;
    }
    let sent = important.await.unwrap_or_default();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop.send(true);
    for connection in connections {
        let _ = connection.await;
    }
    let mut latency = Latencies::default();
    if let Ok(receipts) = receipts.lock() {
        for (report, at) in &sent {
            for received in receipts.get(report).map(Vec::as_slice).unwrap_or(&[]) {
                latency.record(received.read.saturating_duration_since(*at));
            }
        }
    }
    let rate = accepted as f64 / accepted_in.as_secs_f64().max(1e-9);
    let summary = latency.summary();
    let headline = format!(
        "{accepted} accepted in {:.1} s ({rate:.0}/s); triaged after {}; important alert p99 {:.1} ms during the burst",
        accepted_in.as_secs_f64(),
        drained_in.map_or("(not drained in 600 s)".to_owned(), |d| format!("{:.1} s", d.as_secs_f64())),
        summary.p99_ms
    );
    Ok(Outcome {
        scenario: "burst",
        settings: json!({"reports": args.reports, "batch": args.batch, "concurrency": args.concurrency,
                         "important_rate": args.important_rate, "subscribers": args.subscribers}),
        figures: json!({
            "accepted": accepted, "accepted_seconds": accepted_in.as_secs_f64(), "accepted_per_second": rate,
            "drained_seconds": drained_in.map(|d| d.as_secs_f64()), "important_alert_latency": summary,
            "targets": {"accepted_seconds": 10.0, "drained_seconds": 60.0, "important_p99_ms": 100.0},
        }),
        headline,
    })
}
