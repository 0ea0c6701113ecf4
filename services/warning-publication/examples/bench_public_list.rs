//! The issue's performance check: with 1,000 published warnings, `GET /v1/warnings` (first
//! page) against nginx serving the same bytes as a static file, both driven by `wrk` with
//! the same threads and connections in one run, and the `304` path of each.
//!
//! ```sh
//! cargo run --release -p warning-publication --example bench_public_list
//! ```
//!
//! Needs `nginx` and `wrk` (Debian: `apt-get install -y nginx-light wrk`). NATS, the
//! database (SQLite, or PostgreSQL with `PRISM_TEST_DB=postgres`) and nginx are started
//! here on free ports and stopped at the end. `BENCH_SECONDS` (default 10) sets each run's
//! length.

use std::{
    net::TcpListener,
    process::{Command, Stdio},
    time::Duration,
};

use futures::StreamExt as _;
use prism_platform::config::Settings;
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use serde_json::json;

const WARNINGS: usize = 1_000;
const CONNECTIONS: &str = "100";
const THREADS: &str = "2";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let nats = NatsServer::start().await?;
    let database = TestDatabase::new("warning-publication-bench").await?;
    let keys = TestKeys::new();
    let data = tempfile::tempdir()?;
    let settings = Settings::ephemeral(
        "warning-publication",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let app = warning_publication::Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until(std::future::pending()));

    eprintln!("publishing {WARNINGS} warnings…");
    let client = reqwest::Client::new();
    let regulator = keys.token("bench-reg", &["regulator"]);
    let publisher = keys.token("bench-pub", &["publisher"]);
    let districts = ["310101", "310104", "310115", "310112", "310000"];
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(0..WARNINGS)
        .map(|n| {
            let (client, base, regulator, publisher) = (
                client.clone(),
                base.clone(),
                regulator.clone(),
                publisher.clone(),
            );
            async move {
                let kind = ["risk_warning", "recall", "spot_check", "consumer_tip"][n % 4];
                let level = ["low", "medium", "high", "serious"][n % 4];
                let body = json!({
                    "type": kind,
                    "title_zh": format!("第{n}号 儿童电动滑板车电池起火风险警示"),
                    "summary_zh": "部分批次电池在充电时鼓包起火，已造成多人受伤。".repeat(3),
                    "advice_zh": "停止使用涉事批次，勿整夜充电，联系商家退换。",
                    "title_en": format!("Warning {n}: e-scooter batteries may catch fire"),
                    "level": level,
                    "category": "children_products",
                    "districts": [districts[n % districts.len()]],
                });
                let draft: serde_json::Value = client
                    .post(format!("{base}/v1/warnings"))
                    .bearer_auth(&regulator)
                    .json(&body)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let id = draft["id"].as_str().unwrap_or_default().to_owned();
                client
                    .post(format!("{base}/v1/warnings/{id}/approve"))
                    .bearer_auth(&publisher)
                    .send()
                    .await?
                    .error_for_status()?;
                Ok(())
            }
        })
        .buffer_unordered(8)
        .collect()
        .await;
    results.into_iter().collect::<anyhow::Result<Vec<()>>>()?;

    let url = format!("{base}/v1/warnings");
    let first = client.get(&url).send().await?;
    let etag = header(&first, "etag");
    let bytes = first.bytes().await?;
    eprintln!("first page: {} bytes, ETag {etag}", bytes.len());

    // nginx serving the very same bytes as a static file.
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("www/v1"))?;
    std::fs::write(dir.path().join("www/v1/warnings"), &bytes)?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let root = dir.path().display();
    std::fs::write(
        dir.path().join("nginx.conf"),
        format!(
            "worker_processes 2; daemon off; pid {root}/nginx.pid; error_log {root}/error.log;\n\
             events {{ worker_connections 4096; }}\n\
             http {{ access_log off; default_type application/json;\n\
               client_body_temp_path {root}/t1; proxy_temp_path {root}/t2;\n\
               fastcgi_temp_path {root}/t3; uwsgi_temp_path {root}/t4; scgi_temp_path {root}/t5;\n\
               server {{ listen 127.0.0.1:{port}; root {root}/www;\n\
                 location / {{ add_header Cache-Control \"public, max-age=30\"; }} }} }}\n"
        ),
    )?;
    let mut nginx = Command::new("nginx")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(dir.path().join("nginx.conf"))
        .stderr(Stdio::inherit())
        .spawn()?;
    let nginx_url = format!("http://127.0.0.1:{port}/v1/warnings");
    let mut nginx_etag = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if let Ok(response) = client.get(&nginx_url).send().await {
            nginx_etag = header(&response, "etag");
            anyhow::ensure!(response.bytes().await? == bytes, "nginx serves other bytes");
            break;
        }
    }

    let seconds = std::env::var("BENCH_SECONDS").unwrap_or_else(|_| "10".to_owned());
    let runs = [
        ("nginx 200", nginx_url.clone(), None),
        ("prism 200", url.clone(), None),
        ("nginx 304", nginx_url.clone(), Some(nginx_etag)),
        ("prism 304", url.clone(), Some(etag)),
    ];
    let mut summary = Vec::new();
    for (name, target, if_none_match) in runs {
        let mut wrk = Command::new("wrk");
        wrk.args(["-t", THREADS, "-c", CONNECTIONS, "-d"])
            .arg(format!("{seconds}s"))
            .arg("--latency");
        if let Some(tag) = &if_none_match {
            wrk.arg("-H").arg(format!("If-None-Match: {tag}"));
        }
        let output = wrk.arg(&target).output()?;
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        println!(
            "== {name}: wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s --latency {target}\n{text}"
        );
        let rps = line_value(&text, "Requests/sec:");
        let p99 = line_value(&text, "99%");
        summary.push(format!("{name}: {rps} req/s, p99 {p99}"));
    }
    println!(
        "== summary ({WARNINGS} warnings, first page {} bytes)",
        bytes.len()
    );
    for line in summary {
        println!("{line}");
    }
    // A graceful stop through the master (SIGQUIT), so that its workers go too; killing the
    // master alone would leave them running.
    Command::new("kill")
        .arg("-QUIT")
        .arg(nginx.id().to_string())
        .status()?;
    nginx.wait()?;
    Ok(())
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn line_value(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| "?".to_owned())
}
