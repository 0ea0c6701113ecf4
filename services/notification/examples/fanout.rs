//! Notification's benchmark (issue 5, "Performance"): N connected SSE subscribers, a
//! background of routine reports, and important reports posted to intake; measures the time
//! from intake's `201` to the `event: alert` at every subscriber, and the memory an idle
//! connection costs.
//!
//! Intake, triage and notification run in this process (as the end-to-end suite runs
//! them), on a private NATS server with `sync_interval: always` and SQLite databases (or
//! PostgreSQL with `PRISM_TEST_DB=postgres`).
//!
//! ```sh
//! cargo run --release -p notification --example fanout -- --subscribers 1000 --routine 500 --alerts 100
//! cargo run --release -p notification --example fanout -- --subscribers 10000 --routine 0 --alerts 5
//! ```
//!
//! The subscribers run in a child process (this same program with `--client`), so the
//! memory figure is the growth of the services' process alone per connection, and the
//! file-descriptor limit applies to each side separately.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use futures::StreamExt as _;
use prism_platform::config::Settings;
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use serde_json::{json, Value};
use tokio::{
    io::{AsyncBufReadExt as _, AsyncWriteExt as _},
    sync::mpsc,
};

struct Args {
    subscribers: usize,
    routine_per_second: u64,
    alerts: usize,
}

fn args() -> Args {
    let mut args = Args {
        subscribers: 1000,
        routine_per_second: 500,
        alerts: 100,
    };
    let given: Vec<String> = std::env::args().skip(1).collect();
    for pair in given.chunks(2) {
        let value = pair.get(1).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        match pair[0].as_str() {
            "--subscribers" => args.subscribers = usize::try_from(value).unwrap_or(1000),
            "--routine" => args.routine_per_second = value,
            "--alerts" => args.alerts = usize::try_from(value).unwrap_or(100),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let given: Vec<String> = std::env::args().collect();
    if given.get(1).map(String::as_str) == Some("--client") {
        return client(
            given.get(2).cloned().unwrap_or_default(),
            given.get(3).cloned().unwrap_or_default(),
        )
        .await;
    }
    let args = args();
    let nats = NatsServer::start().await?;
    let keys = TestKeys::new();
    let data = tempfile::tempdir()?;
    let mut databases = Vec::new();
    let mut urls = HashMap::new();
    for name in ["intake", "triage", "notification"] {
        let database = TestDatabase::new(name).await?;
        let dir = data.path().join(name).display().to_string();
        let settings =
            Settings::ephemeral(name, &database.url, &nats.url(), &keys.public_pem, &dir);
        let forever = std::future::pending::<()>();
        let port = match name {
            "intake" => {
                let app = intake::Application::build(settings).await?;
                let port = app.port();
                tokio::spawn(app.run_until(forever));
                port
            }
            "triage" => {
                let app = triage::Application::build(settings).await?;
                let port = app.port();
                tokio::spawn(app.run_until(forever));
                port
            }
            _ => {
                let app = notification::Application::build(settings).await?;
                let port = app.port();
                tokio::spawn(app.run_until(forever));
                port
            }
        };
        urls.insert(name, format!("http://127.0.0.1:{port}"));
        databases.push(database);
    }
    let (intake, notification) = (urls["intake"].clone(), urls["notification"].clone());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;

    // Stations: one for important reports, ten sharing the routine load (intake limits
    // each station's rate).
    let admin = keys.token("admin-1", &["admin"]);
    let mut stations = Vec::new();
    for i in 0..11 {
        let body = json!({"code": format!("SH-BENCH-{i:02}"), "name": "基准测试监测点",
                          "kind": "ecommerce_platform", "districts": ["310115"]});
        let station: Value = post(&client, &format!("{intake}/v1/stations"), &admin, &body).await?;
        let id = station["id"].as_str().unwrap_or_default();
        let key: Value = post(
            &client,
            &format!("{intake}/v1/stations/{id}/keys"),
            &admin,
            &json!({}),
        )
        .await?;
        stations.push(key["api_key"].as_str().unwrap_or_default().to_owned());
    }

    // One regulator per subscriber, each with a stream subscription.
    let tokens: Vec<String> = (0..args.subscribers)
        .map(|i| keys.token(&format!("regulator-{i}"), &["regulator"]))
        .collect();
    futures::stream::iter(tokens.iter().cloned())
        .map(|token| {
            let (client, url) = (client.clone(), format!("{notification}/v1/subscriptions"));
            async move {
                post(
                    &client,
                    &url,
                    &token,
                    &json!({"channel": {"type": "stream"}}),
                )
                .await
            }
        })
        .buffer_unordered(32)
        .for_each(|_| async {})
        .await;

    // Connect every subscriber, from the child process.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_before = rss_kib();
    let token_file = data.path().join("tokens.txt");
    std::fs::write(&token_file, tokens.join("\n"))?;
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .arg("--client")
        .arg(format!("{notification}/v1/stream"))
        .arg(&token_file)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("client stdout"))?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    loop {
        match lines.next_line().await? {
            Some(line) if line == "ready" => break,
            Some(_) => continue,
            None => anyhow::bail!("the client process ended before connecting"),
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after = rss_kib();
    let per_connection = (rss_after.saturating_sub(rss_before)) as f64 / args.subscribers as f64;
    // Each line from the client: report id, arrival (µs since the epoch), intake -> triage
    // (ms), triage -> stream (ms).
    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel::<(String, i64)>();
    let stages: Arc<Mutex<Vec<(f64, f64)>>> = Arc::default();
    let kept = stages.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            let parts: Vec<&str> = line.split(' ').collect();
            if let [report, at, triage, stream] = parts[..] {
                if let (Ok(at), Ok(triage), Ok(stream)) =
                    (at.parse(), triage.parse(), stream.parse())
                {
                    if let Ok(mut stages) = kept.lock() {
                        stages.push((triage, stream));
                    }
                    let _ = seen_tx.send((report.to_owned(), at));
                }
            }
        }
    });

    // The routine background.
    let routine_sent = Arc::new(AtomicU64::new(0));
    let routine_failed = Arc::new(AtomicU64::new(0));
    if args.routine_per_second > 0 {
        let (client, url) = (client.clone(), format!("{intake}/v1/reports"));
        let (sent, failed) = (routine_sent.clone(), routine_failed.clone());
        let routine_keys: Vec<String> = stations[1..].to_vec();
        let per_tick = (args.routine_per_second / 50).max(1);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            let mut n = 0usize;
            loop {
                tick.tick().await;
                for _ in 0..per_tick {
                    n += 1;
                    let key = routine_keys[n % routine_keys.len()].clone();
                    let (client, url, sent, failed) =
                        (client.clone(), url.clone(), sent.clone(), failed.clone());
                    tokio::spawn(async move {
                        let body = json!({"kind": "routine", "product": format!("电线电缆 批次{n}"),
                                          "districts": ["310104"], "content": "绝缘层厚度不达标，抽检不合格"});
                        match post(&client, &url, &key, &body).await {
                            Ok(_) => sent.fetch_add(1, Ordering::Relaxed),
                            Err(_) => failed.fetch_add(1, Ordering::Relaxed),
                        };
                    });
                }
            }
        });
        tokio::time::sleep(Duration::from_secs(3)).await;
    }

    // Important reports, one at a time; each waits until every subscriber has its alert.
    let mut latencies: Vec<Duration> = Vec::new();
    let mut all_within: Vec<Duration> = Vec::new();
    let load_started = Instant::now();
    let routine_at_start = routine_sent.load(Ordering::Relaxed);
    for i in 0..args.alerts {
        let body = json!({"kind": "important", "product": "儿童电动滑板车", "districts": ["310115"],
                          "content": format!("充电时起火，2名儿童受伤（第{i}起）"),
                          "casualties": {"deaths": 0, "injuries": 2}});
        let report: Value = post(
            &client,
            &format!("{intake}/v1/reports"),
            &stations[0],
            &body,
        )
        .await?;
        let created = Instant::now();
        let created_us = chrono::Utc::now().timestamp_micros();
        let id = report["id"].as_str().unwrap_or_default().to_owned();
        let mut got = 0;
        // When the last subscriber had it, by the subscribers' clocks (not when we read it).
        let mut last = Duration::ZERO;
        let deadline = created + Duration::from_secs(10);
        while got < args.subscribers {
            let Ok(Some((report_id, at))) =
                tokio::time::timeout_at(deadline.into(), seen_rx.recv()).await
            else {
                break;
            };
            if report_id == id {
                got += 1;
                let micros = u64::try_from(at - created_us).unwrap_or(0);
                latencies.push(Duration::from_micros(micros));
                last = last.max(Duration::from_micros(micros));
            }
        }
        if got < args.subscribers {
            eprintln!(
                "alert {i}: only {got} of {} subscribers within 10 s",
                args.subscribers
            );
        }
        all_within.push(last);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let elapsed = load_started.elapsed().as_secs_f64();
    let routine_rate = (routine_sent.load(Ordering::Relaxed) - routine_at_start) as f64 / elapsed;

    latencies.sort_unstable();
    all_within.sort_unstable();
    let pct = |v: &[Duration], p: f64| {
        let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len().max(1)) - 1;
        v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!("subscribers: {}, important reports: {}, routine background: {routine_rate:.0} reports/s achieved ({} failed)",
        args.subscribers, args.alerts, routine_failed.load(Ordering::Relaxed));
    println!("201 -> SSE event, over {} deliveries: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(), pct(&latencies, 0.5), pct(&latencies, 0.9), pct(&latencies, 0.99), pct(&latencies, 1.0));
    println!(
        "201 -> every subscriber has the alert: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(&all_within, 0.5),
        pct(&all_within, 0.99),
        pct(&all_within, 1.0)
    );
    if let Ok(mut stages) = stages.lock() {
        let mut triage: Vec<f64> = stages.iter().map(|s| s.0).collect();
        let mut stream: Vec<f64> = stages.iter().map(|s| s.1).collect();
        triage.sort_by(f64::total_cmp);
        stream.sort_by(f64::total_cmp);
        let median = |v: &[f64]| v.get(v.len() / 2).copied().unwrap_or(0.0);
        let p99 = |v: &[f64]| v.get(v.len() * 99 / 100).copied().unwrap_or(0.0);
        println!("intake received_at -> triage raised_at: p50 {:.1} ms, p99 {:.1} ms; raised_at -> SSE event: p50 {:.1} ms, p99 {:.1} ms",
            median(&triage), p99(&triage), median(&stream), p99(&stream));
        stages.clear();
    }
    println!("memory per idle connection (the services' process): {per_connection:.1} KiB ({rss_before} -> {rss_after} KiB)");
    drop(child);
    drop(databases);
    Ok(())
}

/// The subscribers: one stream per token, each alert reported on stdout.
async fn client(url: String, token_file: String) -> anyhow::Result<()> {
    let tokens: Vec<String> = std::fs::read_to_string(token_file)?
        .lines()
        .map(str::to_owned)
        .collect();
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<String>();
    let connected = Arc::new(AtomicUsize::new(0));
    for token in tokens.iter().cloned() {
        let (url, out, connected) = (url.clone(), out_tx.clone(), connected.clone());
        tokio::spawn(async move {
            // One client per connection: each stream holds its own HTTP/1.1 connection anyway.
            let client = reqwest::Client::new();
            let Ok(response) = client.get(url).bearer_auth(token).send().await else {
                return;
            };
            connected.fetch_add(1, Ordering::Relaxed);
            let mut events = eventsource_stream::Eventsource::eventsource(response.bytes_stream());
            while let Some(Ok(event)) = events.next().await {
                if event.event != "alert" {
                    continue;
                }
                let now = chrono::Utc::now();
                let data: Value = serde_json::from_str(&event.data).unwrap_or_default();
                let at = |key: &str| {
                    serde_json::from_value::<chrono::DateTime<chrono::Utc>>(data[key].clone()).ok()
                };
                let ms = |d: chrono::TimeDelta| d.num_microseconds().unwrap_or(0) as f64 / 1000.0;
                let (triage, stream) = match (at("received_at"), at("raised_at")) {
                    (Some(received), Some(raised)) => (ms(raised - received), ms(now - raised)),
                    _ => (0.0, 0.0),
                };
                let report = data["report_id"].as_str().unwrap_or_default();
                let _ = out.send(format!(
                    "{report} {} {triage:.3} {stream:.3}",
                    now.timestamp_micros()
                ));
            }
        });
    }
    while connected.load(Ordering::Relaxed) < tokens.len() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut stdout = tokio::io::stdout();
    stdout.write_all(b"ready\n").await?;
    stdout.flush().await?;
    while let Some(line) = out_rx.recv().await {
        stdout.write_all(line.as_bytes()).await?;
        stdout.write_all(b"\n").await?;
        stdout.flush().await?;
    }
    Ok(())
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> anyhow::Result<Value> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or_default();
    anyhow::ensure!(status.is_success(), "{url}: {status} {body}");
    Ok(body)
}

/// This process's resident set, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}
