//! Assessment's load tool: how fast alerts become cases through NATS, and how fast experts'
//! scores and the case view (which recomputes the level, disagreement and sensitivity from
//! every score) are served under concurrency.
//!
//! Assessment runs in this process on a private NATS server and a SQLite database (or
//! PostgreSQL with `PRISM_TEST_DB=postgres`), as the tests run it.
//!
//! ```sh
//! cargo run --release -p assessment --example case_load -- --alerts 2000 --scores 4000 --reads 8000 --concurrency 16
//! ```

use std::time::{Duration, Instant};

use assessment::config::AssessmentSettings;
use async_nats::{header::NATS_MESSAGE_ID, jetstream, HeaderMap};
use chrono::Utc;
use futures::{stream, StreamExt as _};
use prism_contracts::{events::triage::AlertRaised, subjects::v1, Envelope, RiskLevel};
use prism_platform::config::Settings;
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use serde_json::{json, Value};
use uuid::Uuid;

struct Args {
    alerts: usize,
    scores: usize,
    reads: usize,
    concurrency: usize,
}

fn args() -> Args {
    let mut args = Args {
        alerts: 2000,
        scores: 4000,
        reads: 8000,
        concurrency: 16,
    };
    let given: Vec<String> = std::env::args().skip(1).collect();
    for pair in given.chunks(2) {
        let value = pair
            .get(1)
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        match pair[0].as_str() {
            "--alerts" => args.alerts = value,
            "--scores" => args.scores = value,
            "--reads" => args.reads = value,
            "--concurrency" => args.concurrency = value.max(1),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// Requests per second, p50 and p99 of `latencies` taken over `elapsed`.
fn report(name: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    println!(
        "{name}: {} in {:.2?} = {:.0}/s, p50 {:.2?}, p99 {:.2?}, max {:.2?}",
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args();
    let nats = NatsServer::start().await?;
    let database = TestDatabase::new("assessment").await?;
    let keys = TestKeys::new();
    let data = tempfile::tempdir()?;
    let settings = Settings::ephemeral(
        "assessment",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let own = AssessmentSettings {
        assignment_seed: Some(1),
        ..AssessmentSettings::default()
    };
    let application = assessment::Application::build(settings, own).await?;
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));
    let client = reqwest::Client::new();
    let js = jetstream::new(async_nats::connect(nats.url()).await?);
    let (admin, regulator) = (
        keys.token("admin", &["admin"]),
        keys.token("reg", &["regulator"]),
    );

    // 1. A burst of alerts: from the first publish until every case is open.
    let started = Instant::now();
    let mut last = 0;
    for i in 0..args.alerts {
        let now = Utc::now();
        let alert = AlertRaised {
            alert_id: Uuid::now_v7(),
            report_id: Uuid::now_v7(),
            product: format!("产品 {i}"),
            category: Some("children_products".to_owned()),
            districts: vec!["310115".to_owned()],
            hazards: vec!["fire".to_owned()],
            casualties: None,
            station_id: Uuid::now_v7(),
            station_code: "SH-TI-001".to_owned(),
            level: RiskLevel::Serious,
            reason: "人员受伤".to_owned(),
            received_at: now,
            raised_at: now,
        };
        let envelope = Envelope::new("triage", alert);
        let mut headers = HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, envelope.id.to_string().as_str());
        let ack = js
            .publish_with_headers(
                v1::ALERT_RAISED,
                headers,
                serde_json::to_vec(&envelope)?.into(),
            )
            .await?;
        last = ack.await?.sequence;
    }
    let stream = js.get_stream(v1::TRIAGE_ALERTS.name).await?;
    loop {
        let info = stream.consumer_info("assessment-alerts").await?;
        if info.ack_floor.stream_sequence >= last && info.num_ack_pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    println!(
        "alerts to cases: {} in {elapsed:.2?} = {:.0} cases/s",
        args.alerts,
        args.alerts as f64 / elapsed.as_secs_f64()
    );

    // 2. Panels: two experts, drawn for 20 cases.
    for id in ["exp-a", "exp-b"] {
        let body = json!({"id": id, "name": id, "specialties": ["children_products"]});
        client
            .post(format!("{address}/v1/experts"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await?;
    }
    let list: Value = client
        .get(format!("{address}/v1/cases?limit=20"))
        .bearer_auth(&regulator)
        .send()
        .await?
        .json()
        .await?;
    let cases: Vec<String> = list["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    for case in &cases {
        client
            .post(format!("{address}/v1/cases/{case}/assignment"))
            .bearer_auth(&regulator)
            .json(&json!({}))
            .send()
            .await?;
    }
    let experts = [
        keys.token("exp-a", &["expert"]),
        keys.token("exp-b", &["expert"]),
    ];

    // 3. Scores, spread over the cases and both experts.
    let score = json!({"injured": "儿童", "scenario": "充电时起火",
        "steps": [{"description": "充电", "probability": 1}, {"description": "电池短路", "probability": 0.01},
                  {"description": "起火未及时发现", "probability": 0.5}], "severity": 3});
    let started = Instant::now();
    let latencies: Vec<Duration> = stream::iter(0..args.scores)
        .map(|i| {
            let (client, url) = (
                client.clone(),
                format!("{address}/v1/cases/{}/scores", cases[i % cases.len()]),
            );
            let (token, body) = (experts[i % 2].clone(), score.clone());
            async move {
                let at = Instant::now();
                let response = client.post(url).bearer_auth(token).json(&body).send().await;
                assert!(response.is_ok_and(|r| r.status() == 201), "score {i}");
                at.elapsed()
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    report("scores", latencies, started.elapsed());

    // 4. Case views, each recomputing the level from the case's scores.
    let started = Instant::now();
    let latencies: Vec<Duration> = stream::iter(0..args.reads)
        .map(|i| {
            let (client, url) = (
                client.clone(),
                format!("{address}/v1/cases/{}", cases[i % cases.len()]),
            );
            let token = regulator.clone();
            async move {
                let at = Instant::now();
                let response = client.get(url).bearer_auth(token).send().await;
                assert!(response.is_ok_and(|r| r.status() == 200), "read {i}");
                at.elapsed()
            }
        })
        .buffer_unordered(args.concurrency)
        .collect()
        .await;
    report("case views", latencies, started.elapsed());
    println!(
        "(scores per case: about {})",
        args.scores / cases.len().max(1)
    );
    Ok(())
}
