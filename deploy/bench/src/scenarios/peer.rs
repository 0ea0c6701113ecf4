//! A peer: Prometheus Alertmanager (`group_wait: 0s`, a webhook receiver) against PRISM's
//! webhook channel. Latency from submission to webhook receipt for each, and what each does
//! while the receiver fails.
//!
//! Both are timed from the moment the submission is sent. Alertmanager hands an alert to its
//! dispatcher before it answers, so its webhook often arrives before its own `200`: timed
//! from the answer, its latency read as zero. Each system's latency from its answer is
//! reported too.

use std::{
    collections::HashMap,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use axum::{extract::State, http::StatusCode, routing::post, Router};
use serde_json::json;

use super::load;
use crate::{report::Outcome, stack::Stack, stats::Latencies};

#[derive(clap::Args)]
pub struct Args {
    /// Alerts to send through each system.
    #[arg(long, default_value_t = 50)]
    alerts: usize,
    /// How long the receiver fails in the failure test.
    #[arg(long, default_value_t = 5)]
    fail_seconds: u64,
}

/// Every attempt at one key: when, and whether the receiver took it.
type Attempts = HashMap<String, Vec<(Instant, bool)>>;

/// What the receiver saw: per key (report id or Alertmanager label), every attempt's time.
#[derive(Clone, Default)]
struct Receiver {
    attempts: Arc<Mutex<Attempts>>,
    failing: Arc<AtomicBool>,
}

impl Receiver {
    fn first_success(&self, key: &str) -> Option<Instant> {
        let attempts = self.attempts.lock().ok()?;
        attempts
            .get(key)?
            .iter()
            .find(|(_, ok)| *ok)
            .map(|(at, _)| *at)
    }

    fn attempts(&self, key: &str) -> usize {
        self.attempts
            .lock()
            .map(|a| a.get(key).map_or(0, Vec::len))
            .unwrap_or(0)
    }
}

async fn receive(State(receiver): State<Receiver>, body: String) -> StatusCode {
    let at = Instant::now();
    let ok = !receiver.failing.load(Ordering::SeqCst);
    let keys = keys_in(&body);
    if let Ok(mut attempts) = receiver.attempts.lock() {
        for key in keys {
            attempts.entry(key).or_default().push((at, ok));
        }
    }
    if ok {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// PRISM's report ids and Alertmanager's `report` labels found anywhere in a body.
fn keys_in(body: &str) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    if key == "report_id" || key == "report" {
                        if let Some(s) = value.as_str() {
                            out.push(s.to_owned());
                        }
                    }
                    walk(value, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        walk(&value, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

pub async fn run(stack: &Stack, args: Args) -> anyhow::Result<Outcome> {
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let hook = format!("http://127.0.0.1:{port}/hook");

    let folder = tempfile::tempdir()?;
    let alertmanager = Alertmanager::start(folder.path(), &hook)?;
    let client = reqwest::Client::new();
    subscribe_webhook(&client, stack, &hook).await?;

    let (mut prism, mut peer) = (Timings::default(), Timings::default());
    for n in 0..args.alerts {
        let posted = load::post_timed(&client, stack, n, "important", n as u64).await?;
        if let Some(at) = wait_for(&receiver, &posted.id, Duration::from_secs(10)).await {
            prism.record(at, posted.submitted, posted.answered);
        }
        let label = format!("am-{n}-{}", uuid::Uuid::new_v4().simple());
        let (submitted, answered) = alertmanager.submit(&client, &label).await?;
        if let Some(at) = wait_for(&receiver, &label, Duration::from_secs(10)).await {
            peer.record(at, submitted, answered);
        }
    }

    // The receiver fails for a while: who keeps trying, and how soon after it recovers?
    receiver.failing.store(true, Ordering::SeqCst);
    let posted = load::post_timed(&client, stack, 0, "important", 9_999).await?;
    let (report, prism_sent) = (posted.id, posted.submitted);
    let label = format!("am-fail-{}", uuid::Uuid::new_v4().simple());
    let (peer_sent, _) = alertmanager.submit(&client, &label).await?;
    tokio::time::sleep(Duration::from_secs(args.fail_seconds)).await;
    let recovered = Instant::now();
    receiver.failing.store(false, Ordering::SeqCst);
    let prism_after = wait_for(&receiver, &report, Duration::from_secs(120)).await;
    let peer_after = wait_for(&receiver, &label, Duration::from_secs(120)).await;
    let since = |at: Option<Instant>| {
        at.map(|a| a.saturating_duration_since(recovered).as_secs_f64() * 1000.0)
    };
    let failure = json!({
        "fail_seconds": args.fail_seconds,
        "prism": {"attempts": receiver.attempts(&report), "delivered_ms_after_recovery": since(prism_after),
                  "total_ms": prism_after.map(|a| a.saturating_duration_since(prism_sent).as_secs_f64() * 1000.0)},
        "alertmanager": {"attempts": receiver.attempts(&label), "delivered_ms_after_recovery": since(peer_after),
                         "total_ms": peer_after.map(|a| a.saturating_duration_since(peer_sent).as_secs_f64() * 1000.0)},
    });
    drop(alertmanager);

    let (ours, theirs) = (prism.submitted.summary(), peer.submitted.summary());
    let headline = format!(
        "webhook p50 {:.1} ms p99 {:.1} ms vs Alertmanager p50 {:.1} ms p99 {:.1} ms; after a {} s outage: PRISM {} attempts, Alertmanager {}",
        ours.p50_ms, ours.p99_ms, theirs.p50_ms, theirs.p99_ms, args.fail_seconds,
        receiver.attempts(&report), receiver.attempts(&label)
    );
    Ok(Outcome {
        scenario: "peer",
        settings: json!({"alerts": args.alerts, "fail_seconds": args.fail_seconds, "alertmanager_group_wait": "0s"}),
        figures: json!({"prism_webhook": ours, "alertmanager_webhook": theirs,
                        "from_the_answer": {"prism_webhook": prism.answered.summary(),
                                            "alertmanager_webhook": peer.answered.summary()},
                        "receiver_failure": failure,
                        "target": "PRISM's webhook latency below Alertmanager's"}),
        headline,
    })
}

/// One system's webhook latencies, from its submission and from its answer.
#[derive(Default)]
struct Timings {
    submitted: Latencies,
    answered: Latencies,
}

impl Timings {
    fn record(&mut self, received: Instant, submitted: Instant, answered: Instant) {
        self.submitted
            .record(received.saturating_duration_since(submitted));
        self.answered
            .record(received.saturating_duration_since(answered));
    }
}

async fn wait_for(receiver: &Receiver, key: &str, timeout: Duration) -> Option<Instant> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(at) = receiver.first_success(key) {
            return Some(at);
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    None
}

async fn subscribe_webhook(
    client: &reqwest::Client,
    stack: &Stack,
    hook: &str,
) -> anyhow::Result<()> {
    let response = client
        .post(format!("{}/v1/subscriptions", stack.url("notification")?))
        .bearer_auth(stack.token("regulator")?)
        .json(&json!({"channel": {"type": "webhook", "url": hook, "secret": "bench-secret-0123456789"},
                      "filters": {"event_types": ["important_alert"]}}))
        .send()
        .await?;
    let status = response.status();
    anyhow::ensure!(
        status.is_success(),
        "the webhook subscription was refused ({status}): {}; start the stack with \
         PRISM_NOTIFICATION__WEBHOOKS__ALLOW_PRIVATE_TARGETS=true so loopback targets are allowed",
        response.text().await.unwrap_or_default()
    );
    Ok(())
}

/// Alertmanager as its own process, configured to notify at once.
struct Alertmanager {
    child: Child,
    port: u16,
}

impl Alertmanager {
    fn start(folder: &Path, hook: &str) -> anyhow::Result<Self> {
        let binary = "/usr/bin/prometheus-alertmanager";
        anyhow::ensure!(
            Path::new(binary).exists(),
            "Alertmanager is not installed: run deploy/bench/install-peers.sh"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let config = format!(
            "route:\n  receiver: bench\n  group_by: ['report']\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\n\
             receivers:\n  - name: bench\n    webhook_configs:\n      - url: {hook}\n        send_resolved: false\n"
        );
        std::fs::write(folder.join("alertmanager.yml"), config)?;
        let child = Command::new(binary)
            .arg(format!(
                "--config.file={}",
                folder.join("alertmanager.yml").display()
            ))
            .arg(format!("--storage.path={}", folder.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Alertmanager")?;
        for _ in 0..250 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Self { child, port });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        anyhow::bail!("Alertmanager did not start")
    }

    /// Submits one alert; returns when it was sent and when Alertmanager answered.
    async fn submit(
        &self,
        client: &reqwest::Client,
        label: &str,
    ) -> anyhow::Result<(Instant, Instant)> {
        let request = client
            .post(format!("http://127.0.0.1:{}/api/v2/alerts", self.port))
            .json(
                &json!([{"labels": {"alertname": "prism_bench", "report": label},
                           "annotations": {"summary": "benchmark alert"}}]),
            );
        let submitted = Instant::now();
        let response = request.send().await?;
        let answered = Instant::now();
        anyhow::ensure!(
            response.status().is_success(),
            "Alertmanager answered {}",
            response.status()
        );
        Ok((submitted, answered))
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
