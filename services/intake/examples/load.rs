//! Intake's load benchmark (issue 3, "Performance"): single reports from 64 concurrent
//! clients, then batches of 1,000, against a real intake (release build) on a real database
//! and a real NATS server; beside them, the raw insert rate of the same database with the
//! same durability, measured in the same run.
//!
//! ```sh
//! cargo run --release -p intake --example load                          # SQLite
//! PRISM_TEST_DB=postgres cargo run --release -p intake --example load   # PostgreSQL
//! LOAD_SECONDS=20 LOAD_CLIENTS=64 cargo run --release -p intake --example load
//! ```
//!
//! SQLite runs as in production: WAL, `synchronous=FULL` (every commit durable); PostgreSQL
//! with its default `synchronous_commit=on`.

use std::time::{Duration, Instant};

use prism_platform::config::{DatabaseSettings, Settings};
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use sea_orm::{
    ConnectionTrait as _, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait as _,
};
use serde_json::{json, Value};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn report(i: u64) -> Value {
    json!({"kind": "routine", "product": "儿童电动滑板车", "districts": ["310115"],
           "content": format!("第{i}条：锂电池充电时鼓包起火，外壳变形，存在火灾和烫伤风险"),
           "analysis": "电池管理系统缺少过充保护", "recommendation": "开展专项抽查",
           "hazards": ["fire", "burns"], "casualties": {"deaths": 0, "injuries": 1}})
}

/// What one phase measured.
struct Figures {
    reports: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.reports as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index]
    }
}

/// `clients` tasks, each with its own station key, posting for `seconds`.
async fn drive(
    client: &reqwest::Client,
    url: &str,
    keys: &[String],
    seconds: u64,
    batch: usize,
) -> anyhow::Result<Figures> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for key in keys {
        let (client, url, key) = (client.clone(), url.to_owned(), key.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut sent = 0_u64;
            while Instant::now() < deadline {
                let body = if batch == 0 {
                    report(sent)
                } else {
                    json!({"reports": (0..batch as u64).map(|i| report(sent + i)).collect::<Vec<_>>()})
                };
                let at = Instant::now();
                let response = client.post(&url).bearer_auth(&key).json(&body).send().await?;
                let status = response.status();
                let _ = response.bytes().await?;
                latencies.push(at.elapsed());
                anyhow::ensure!(status.is_success(), "status {status}");
                sent += if batch == 0 { 1 } else { batch as u64 };
            }
            anyhow::Ok((sent, latencies))
        }));
    }
    let mut figures = Figures {
        reports: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (sent, latencies) = task.await??;
        figures.reports += sent;
        figures.latencies.extend(latencies);
    }
    figures.elapsed = started.elapsed();
    figures.latencies.sort();
    Ok(figures)
}

/// The database alone: `clients` tasks inserting one row per transaction (as a single
/// report commits), or `batch` rows per transaction, rows shaped like a report.
async fn raw_inserts(
    db: &DatabaseConnection,
    clients: usize,
    seconds: u64,
    batch: usize,
) -> anyhow::Result<f64> {
    let backend = db.get_database_backend();
    db.execute_unprepared(
        "CREATE TABLE IF NOT EXISTS bench_raw (id VARCHAR(36) PRIMARY KEY, station VARCHAR(36), payload TEXT, received_at VARCHAR(40))",
    )
    .await?;
    let insert = match backend {
        DatabaseBackend::Postgres => "INSERT INTO bench_raw VALUES ($1, $2, $3, $4)",
        _ => "INSERT INTO bench_raw VALUES (?, ?, ?, ?)",
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut rows = 0_u64;
            while Instant::now() < deadline {
                let txn = db.begin().await?;
                for i in 0..batch.max(1) {
                    let values = vec![
                        uuid::Uuid::now_v7().to_string().into(),
                        uuid::Uuid::now_v7().to_string().into(),
                        report(i as u64).to_string().into(),
                        chrono::Utc::now().to_rfc3339().into(),
                    ];
                    txn.execute(Statement::from_sql_and_values(backend, insert, values))
                        .await?;
                }
                txn.commit().await?;
                rows += batch.max(1) as u64;
            }
            anyhow::Ok(rows)
        }));
    }
    let mut rows = 0;
    for task in tasks {
        rows += task.await??;
    }
    Ok(rows as f64 / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds = env("LOAD_SECONDS", 10);
    let clients = env("LOAD_CLIENTS", 64) as usize;
    let nats = NatsServer::start().await?;
    let database = TestDatabase::new("intake").await?;
    let keys = TestKeys::new();
    let data = tempfile::tempdir()?;
    let settings = Settings::ephemeral(
        "intake",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let mut own = intake::config::IntakeSettings::default();
    // The benchmark measures throughput, not the limiter.
    own.rate_limit.per_second = 1_000_000;
    own.rate_limit.burst = 1_000_000;
    let application = intake::Application::build_with(settings, own).await?;
    let base = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let admin = keys.token("bench-admin", &["admin"]);
    let mut station_keys = Vec::new();
    for i in 0..clients {
        let station: Value = client.post(format!("{base}/v1/stations")).bearer_auth(&admin)
            .json(&json!({"code": format!("BENCH-{i:03}"), "name": format!("压测站{i}"), "kind": "testing_institution", "districts": ["310115"]}))
            .send().await?.json().await?;
        let id = station["id"].as_str().unwrap_or_default().to_owned();
        let key: Value = client
            .post(format!("{base}/v1/stations/{id}/keys"))
            .bearer_auth(&admin)
            .json(&json!({}))
            .send()
            .await?
            .json()
            .await?;
        station_keys.push(key["api_key"].as_str().unwrap_or_default().to_owned());
    }
    let backend = if database.is_postgres() {
        "PostgreSQL"
    } else {
        "SQLite (WAL, synchronous=FULL)"
    };
    println!("intake load benchmark: {backend}, {clients} clients, {seconds} s per phase");

    let single = drive(
        &client,
        &format!("{base}/v1/reports"),
        &station_keys,
        seconds,
        0,
    )
    .await?;
    println!(
        "POST /v1/reports        {:>8.0} reports/s  p50 {:>6.1} ms  p99 {:>6.1} ms  ({} reports)",
        single.rate(),
        single.percentile(0.50).as_secs_f64() * 1e3,
        single.percentile(0.99).as_secs_f64() * 1e3,
        single.reports
    );
    let batch_clients = &station_keys[..4.min(station_keys.len())];
    let batch = drive(
        &client,
        &format!("{base}/v1/reports/batch"),
        batch_clients,
        seconds,
        1_000,
    )
    .await?;
    println!(
        "POST /v1/reports/batch  {:>8.0} reports/s  p50 {:>6.1} ms  p99 {:>6.1} ms  ({} reports, {} clients x 1,000)",
        batch.rate(),
        batch.percentile(0.50).as_secs_f64() * 1e3,
        batch.percentile(0.99).as_secs_f64() * 1e3,
        batch.reports,
        batch_clients.len()
    );

    let db = prism_platform::db::connect(&DatabaseSettings {
        url: database.url.clone(),
        max_connections: 8,
    })
    .await?;
    let raw_single = raw_inserts(&db, clients, seconds, 1).await?;
    let raw_batch = raw_inserts(&db, batch_clients.len(), seconds, 1_000).await?;
    println!(
        "raw INSERT, 1 row/commit   {raw_single:>8.0} rows/s   intake/raw = {:.2}",
        single.rate() / raw_single
    );
    println!(
        "raw INSERT, 1,000 rows/commit {raw_batch:>5.0} rows/s   intake/raw = {:.2}",
        batch.rate() / raw_batch
    );
    Ok(())
}
