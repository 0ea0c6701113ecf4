//! Alert latency under load: SSE subscribers connected, routine reports in the background,
//! important reports at a steady rate; latency from each important report's `201` to its
//! alert at every subscriber, and the time spent at each hop (from the report's timeline).

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
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Routine reports per second in the background.
    #[arg(long, default_value_t = 500)]
    routine_rate: u64,
    /// Important reports per second.
    #[arg(long, default_value_t = 10)]
    important_rate: u64,
    /// How long to run.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
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

    let until = Instant::now() + Duration::from_secs(args.seconds);
    let background = tokio::spawn(load::routine_background(
        client.clone(),
        stack.clone(),
        args.routine_rate,
        until,
    ));
    let mut sent: Vec<load::Posted> = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(
        1.0 / args.important_rate.max(1) as f64,
    ));
    let mut n = 0;
    let mut refused = 0_u64;
    while Instant::now() < until {
        tick.tick().await;
        n += 1;
        // A refused report (rate limit, overload) is counted, not fatal: it is a finding.
        match load::post_stamped(stack, n as usize, "important", n).await {
            Ok(accepted) => sent.push(accepted),
            Err(_) => refused += 1,
        }
    }
    let routine_accepted = background.await.unwrap_or(0);
    // Give the last alerts time to arrive before judging what is missing.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = stop.send(true);
    for connection in connections {
        let _ = connection.await;
    }

    // Measured twice: to the moment the subscriber's task read the event, and to the moment
    // it reached the subscriber's socket (the kernel's stamp), from the `201` seen by this
    // process and from its arrival (the kernel's stamp) respectively. From the submission
    // is an upper bound.
    let mut latency = Latencies::default();
    let mut at_socket = Latencies::default();
    let mut from_submission = Latencies::default();
    let mut at_socket_from_submission = Latencies::default();
    let mut before_answer = 0_usize;
    // Per alert: its first subscriber's latency, and how long its fan-out took from the
    // first subscriber to the last. Together with the hop they place the time.
    let mut first = Latencies::default();
    let mut spread = Latencies::default();
    let mut first_at_socket = Latencies::default();
    let mut spread_at_socket = Latencies::default();
    let mut missing = 0_usize;
    let mut unstamped = 0_usize;
    {
        let receipts = receipts
            .lock()
            .map_err(|_| anyhow::anyhow!("receipts lock poisoned"))?;
        for posted in &sent {
            let got = receipts.get(&posted.id).map(Vec::as_slice).unwrap_or(&[]);
            missing += args.subscribers.saturating_sub(got.len());
            for received in got {
                latency.record(received.read.saturating_duration_since(posted.answered));
                from_submission.record(received.read.saturating_duration_since(posted.submitted));
                match received
                    .arrived
                    .map(|at| at.duration_since(posted.answered_wall))
                {
                    Some(Ok(after)) => at_socket.record(after),
                    // Stamped before the `201` arrived: counted, not hidden as 0.
                    Some(Err(_)) => before_answer += 1,
                    None => unstamped += 1,
                }
                // The `201` itself comes late when intake's answer waits for a processor,
                // which would make the figure above look better: from the submission there
                // is no such help.
                if let Some(Ok(after)) = received
                    .arrived
                    .map(|at| at.duration_since(posted.submitted_wall))
                {
                    at_socket_from_submission.record(after);
                }
            }
            let reads = got.iter().map(|r| r.read);
            if let (Some(earliest), Some(latest)) = (reads.clone().min(), reads.max()) {
                first.record(earliest.saturating_duration_since(posted.answered));
                spread.record(latest.saturating_duration_since(earliest));
            }
            let arrivals = got.iter().filter_map(|r| r.arrived);
            if let (Some(earliest), Some(latest)) = (arrivals.clone().min(), arrivals.max()) {
                if let Ok(after) = earliest.duration_since(posted.answered_wall) {
                    first_at_socket.record(after);
                }
                spread_at_socket.record(latest.duration_since(earliest).unwrap_or_default());
            }
        }
    }
    let reports: Vec<String> = sent.iter().map(|posted| posted.id.clone()).collect();
    let hops = hops(&client, stack, &reports).await;
    let summary = latency.summary();
    let socket = at_socket.summary();
    let headline = format!(
        "alert at the subscriber's socket p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms over {} deliveries (kernel stamps at both ends; {} before the 201); read by the subscriber p50 {:.1} ms, p99 {:.1} ms; {} missing; intake→alert p50 {:.1} ms",
        socket.p50_ms, socket.p99_ms, socket.max_ms, socket.count, before_answer, summary.p50_ms, summary.p99_ms, missing, hops.p50_ms
    );
    Ok(Outcome {
        scenario: "alert-latency",
        settings: json!({"subscribers": args.subscribers, "routine_rate": args.routine_rate,
                         "important_rate": args.important_rate, "seconds": args.seconds}),
        figures: json!({
            "alert_latency": summary, "alert_latency_at_socket": socket,
            "alert_latency_from_submission": from_submission.summary(),
            "alert_latency_at_socket_from_submission": at_socket_from_submission.summary(),
            "unstamped_receipts": unstamped, "stamped_before_the_201": before_answer,
            "missing_deliveries": missing,
            "scheduling": {
                "subscribers": super::socket::scheduling(),
                "notification_fan_out": stack.scheduling("notification", "fanout-"),
                "triage_alerts": stack.scheduling("triage", "triage-alerts"),
            },
            "important_sent": sent.len(), "important_refused": refused, "routine_accepted": routine_accepted,
            "hop_received_to_alert_raised": hops,
            "first_subscriber": first.summary(), "fanout_first_to_last": spread.summary(),
            "first_subscriber_at_socket": first_at_socket.summary(),
            "fanout_first_to_last_at_socket": spread_at_socket.summary(),
            "targets": {"p50_ms": 10.0, "p99_ms": 50.0},
        }),
        headline,
    })
}

/// Time from intake's `received` to triage's `alerted`, from the reports' timelines.
async fn hops(client: &reqwest::Client, stack: &Stack, sent: &[String]) -> crate::stats::Summary {
    let mut latency = Latencies::default();
    let Ok(intake) = stack.url("intake") else {
        return latency.summary();
    };
    for (i, report) in sent.iter().enumerate().take(200) {
        // Reports were posted round-robin over the stations; the owner reads the timeline.
        let station = &stack.stations[(i + 1) % stack.stations.len()];
        let Ok(response) = client
            .get(format!("{intake}/v1/reports/{report}/timeline"))
            .bearer_auth(&station.api_key)
            .send()
            .await
        else {
            continue;
        };
        let Ok(steps) = response.json::<serde_json::Value>().await else {
            continue;
        };
        let at = |name: &str| {
            steps
                .as_array()?
                .iter()
                .find(|s| s["step"] == name)
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s["at"].as_str()?).ok())
        };
        if let (Some(received), Some(alerted)) = (at("received"), at("alerted")) {
            if let Ok(hop) = (alerted - received).to_std() {
                latency.record(hop);
            }
        }
    }
    latency.summary()
}
