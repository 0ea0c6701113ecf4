//! How fast an important report's alert leaves triage while a routine backlog is queued, and
//! how fast triage works through that backlog.
//!
//! `cargo run --release -p triage --example alert_latency -- [BACKLOG] [IMPORTANT]`
//! (defaults 100000 and 200; `PRISM_TEST_DB=postgres` for PostgreSQL). It starts a private
//! NATS server, a fresh database and triage in this process; queues BACKLOG routine reports
//! (drawn from the labelled set, in many districts); starts triage; then sends IMPORTANT
//! important reports one every 50 ms while the backlog drains, and times each from its
//! publication to its `AlertRaised` arriving from the stream. Finally it waits for the
//! backlog to be classified and clustered and prints the rates.

use std::time::{Duration, Instant};

use async_nats::jetstream;
use chrono::Utc;
use futures::StreamExt as _;
use prism_contracts::{
    events::intake::ReportReceived, subjects::v1, Envelope, Lane, RawEnvelope, ReportKind,
};
use prism_platform::config::Settings;
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use triage::domain::evaluation::{self, SHIPPED_SET};
use uuid::Uuid;

const DISTRICTS: [&str; 16] = [
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113",
    "310114", "310115", "310116", "310117", "310118", "310120", "310151",
];

fn received(kind: ReportKind, product: &str, content: &str, district: &str) -> ReportReceived {
    ReportReceived {
        report_id: Uuid::now_v7(),
        station_id: Uuid::now_v7(),
        station_code: "SH-EC-001".into(),
        station_kind: "ecommerce_platform".into(),
        kind,
        product: product.into(),
        category: None,
        districts: vec![district.to_owned()],
        content: content.into(),
        analysis: None,
        recommendation: None,
        source: None,
        hazards: vec![],
        casualties: None,
        occurred_at: None,
        received_at: Utc::now(),
        period: "2026-12".into(),
    }
}

async fn pending(js: &jetstream::Context, stream: &str, durable: &str) -> u64 {
    let Ok(mut consumer) = js
        .get_consumer_from_stream::<jetstream::consumer::pull::Config, _, _>(durable, stream)
        .await
    else {
        return u64::MAX;
    };
    match consumer.info().await {
        Ok(info) => info.num_pending + info.num_ack_pending as u64,
        Err(_) => u64::MAX,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    // As the triage binary does: bulk work on bulk-priority threads.
    prism_runtime::priority::bulk_runtime()?.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let backlog: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let important: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(200);
    // Triage records its step times in the process's Prometheus recorder.
    let metrics = prism_platform::telemetry::metrics_handle();
    let set = evaluation::parse(SHIPPED_SET)?;
    let routine: Vec<_> = set.iter().filter(|r| !r.label.important).collect();

    let nats = NatsServer::start().await?;
    let database = TestDatabase::new("triage").await?;
    let keys = TestKeys::new();
    let data = tempfile::tempdir()?;
    let client = async_nats::connect(nats.url()).await?;
    let js = jetstream::new(client.clone());
    prism_messaging::streams::ensure_all(&js).await?;

    let started = Instant::now();
    let mut acks = Vec::new();
    for i in 0..backlog {
        let r = routine[i % routine.len()];
        let content = format!("{}（第{}条评论汇总）", r.content, i / routine.len());
        let event = Envelope::new(
            "intake",
            received(ReportKind::Routine, &r.product, &content, DISTRICTS[i % 16]),
        );
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(
            async_nats::header::NATS_MESSAGE_ID,
            event.id.to_string().as_str(),
        );
        acks.push(
            js.publish_with_headers(event.subject(), headers, serde_json::to_vec(&event)?.into())
                .await?,
        );
        if acks.len() >= 2000 {
            for ack in acks.drain(..) {
                ack.await?;
            }
        }
    }
    for ack in acks.drain(..) {
        ack.await?;
    }
    println!(
        "queued {backlog} routine reports in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        if database.is_postgres() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );

    let settings = Settings::ephemeral(
        "triage",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let application = triage::Application::build(settings).await?;
    let triage_started = Instant::now();
    tokio::spawn(application.run_until(std::future::pending()));
    tokio::time::sleep(Duration::from_secs(2)).await;

    let routine_durable = triage::messaging::ROUTINE;
    let before = pending(&js, v1::INTAKE.name, routine_durable).await;
    // The probe publishes and listens from a thread and runtime of its own, as another
    // service would: on triage's runtime, busy classifying, the probe's own socket would be
    // polled only between triage's tasks and the figure would time the probe, not triage.
    let url = nats.url();
    // Started from the main thread, so at the process's priority like another service.
    let Probed {
        mut latencies,
        mut in_triage,
        mut stored,
        mut after_stored,
    } = prism_runtime::priority::run_apart("probe", move || probe(url, important)).await?;
    let after = pending(&js, v1::INTAKE.name, routine_durable).await;
    for (name, values) in [
        ("publish → AlertRaised received", &mut latencies),
        ("publish → report stored (JetStream ack)", &mut stored),
        (
            "publish → alert staged (raised_at − received_at)",
            &mut in_triage,
        ),
        (
            "report stored → alert staged (the same, less the report's store)",
            &mut after_stored,
        ),
    ] {
        values.sort_by(f64::total_cmp);
        println!(
            "{name}: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n = {})",
            percentile(values, 0.5),
            percentile(values, 0.95),
            percentile(values, 0.99),
            values.last().copied().unwrap_or(f64::NAN),
            values.len()
        );
    }
    println!("routine reports still queued: {before} when the first important report went, {after} after the last");
    for line in metrics.render().lines() {
        if line.starts_with("triage_step_seconds{") && line.contains("quantile=\"0.99\"") {
            println!("triage step (decode, judge, stage the alert, classify, store), p99: {line}");
        }
    }

    let drain = Instant::now();
    loop {
        let routine_left = pending(&js, v1::INTAKE.name, routine_durable).await;
        if routine_left == 0 {
            break;
        }
        if drain.elapsed() > Duration::from_secs(1800) {
            anyhow::bail!("backlog not drained in 30 minutes ({routine_left} left)");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let classified_in = triage_started.elapsed().as_secs_f64();
    println!(
        "classified {backlog} routine reports in {classified_in:.1} s: {:.0} reports/s through NATS and the database",
        backlog as f64 / classified_in
    );
    loop {
        if pending(&js, v1::TRIAGE.name, triage::messaging::SIGNALS).await == 0 {
            break;
        }
        if drain.elapsed() > Duration::from_secs(3600) {
            anyhow::bail!("clustering not done in an hour");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let clustered_in = triage_started.elapsed().as_secs_f64();
    println!(
        "clustered them into signals in {clustered_in:.1} s: {:.0} reports/s",
        (backlog + important) as f64 / clustered_in
    );
    for line in metrics.render().lines() {
        let per_batch = [
            "consumer_batch_events",
            "consumer_apply_seconds",
            "consumer_gate_wait_seconds",
        ];
        if per_batch.iter().any(|m| line.starts_with(m))
            && (line.contains("quantile=\"0.5\"") || line.contains("quantile=\"0.99\""))
        {
            println!("{line}");
        }
        if line.starts_with("triage_") && line.contains("quantile=\"0.99\"") {
            println!("{line}");
        }
    }
    Ok(())
}

/// What the probe timed, in milliseconds, one value per important report.
struct Probed {
    /// From publication to the `AlertRaised` arriving.
    latencies: Vec<f64>,
    /// `raised_at − received_at`: publication to the alert's creation in triage.
    in_triage: Vec<f64>,
    /// From publication to JetStream's acknowledgement that it stored the report: the part
    /// of the figure that is the message store's, before triage can see the report.
    stored: Vec<f64>,
    /// `in_triage` less `stored`: from the report being in the stream, where triage can
    /// read it, to the alert leaving triage for JetStream.
    after_stored: Vec<f64>,
}

/// Sends `important` important reports one every 50 ms and times each.
async fn probe(url: String, important: usize) -> anyhow::Result<Probed> {
    let client = async_nats::connect(url).await?;
    let js = jetstream::new(client.clone());
    let mut alerts = client.subscribe(v1::ALERT_RAISED.to_owned()).await?;
    let mut latencies = Vec::with_capacity(important);
    let mut in_triage = Vec::with_capacity(important);
    let mut stored = Vec::with_capacity(important);
    let mut after_stored = Vec::with_capacity(important);
    for i in 0..important {
        let report = received(
            ReportKind::Important,
            "儿童电动滑板车",
            "充电时起火，2名儿童受伤",
            DISTRICTS[i % 16],
        );
        let id = report.report_id;
        let event = Envelope::new("intake", report);
        let sent = Instant::now();
        js.publish(
            v1::report_received(Lane::Important),
            serde_json::to_vec(&event)?.into(),
        )
        .await?
        .await?;
        let store = sent.elapsed().as_secs_f64() * 1000.0;
        stored.push(store);
        loop {
            let message = tokio::time::timeout(Duration::from_secs(120), alerts.next())
                .await?
                .ok_or_else(|| anyhow::anyhow!("alert subscription closed"))?;
            let raw = RawEnvelope::from_slice(&message.payload)?;
            let alert = raw.decode::<prism_contracts::events::triage::AlertRaised>()?;
            if alert.data.report_id == id {
                latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                if std::env::var_os("VERBOSE").is_some() {
                    println!("alert {i}: {:.1} ms", sent.elapsed().as_secs_f64() * 1000.0);
                }
                let step = alert.data.raised_at - alert.data.received_at;
                let step = step.num_microseconds().unwrap_or(0) as f64 / 1000.0;
                in_triage.push(step);
                after_stored.push(step - store);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(Probed {
        latencies,
        in_triage,
        stored,
        after_stored,
    })
}
