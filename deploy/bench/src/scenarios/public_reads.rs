//! Public reads: `GET /v1/warnings` (first page), its `304` path, and the Atom feed under
//! load, beside nginx serving the same bytes as static files, with the same load and the
//! same connections in one run.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context as _;
use serde_json::json;

use crate::{report::Outcome, stack::Stack, stats::Latencies};

#[derive(clap::Args)]
pub struct Args {
    /// Concurrent connections.
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Warnings to draft and publish first (the issue measures with 1,000 published).
    #[arg(long, default_value_t = 0)]
    seed: usize,
}

/// Throughput and latency of one target.
#[derive(Debug, serde::Serialize)]
struct Measured {
    requests_per_second: f64,
    latency: crate::stats::Summary,
    errors: u64,
}

pub async fn run(stack: &Stack, args: Args) -> anyhow::Result<Outcome> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .build()?;
    let base = stack.url("warning-publication")?.to_owned();
    seed(&client, stack, &base, args.seed).await?;

    let list = format!("{base}/v1/warnings");
    let atom = format!("{base}/feeds/warnings.atom");
    let first = client.get(&list).send().await?;
    let etag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let list_body = first.bytes().await?;
    let atom_body = client.get(&atom).send().await?.bytes().await?;

    let prism_list = measure(&client, &list, None, &args).await;
    let prism_304 = match &etag {
        Some(tag) => Some(measure(&client, &list, Some(tag.as_str()), &args).await),
        None => None,
    };
    let prism_atom = measure(&client, &atom, None, &args).await;

    let folder = tempfile::tempdir()?;
    let nginx = Nginx::start(folder.path(), &list_body, &atom_body).ok();
    let (nginx_list, nginx_304, nginx_atom) = match &nginx {
        Some(server) => {
            let list = format!("http://127.0.0.1:{}/v1/warnings", server.port);
            let atom = format!("http://127.0.0.1:{}/feeds/warnings.atom", server.port);
            let tag = client
                .get(&list)
                .send()
                .await?
                .headers()
                .get("etag")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let revalidated = match tag {
                Some(tag) => Some(measure(&client, &list, Some(tag.as_str()), &args).await),
                None => None,
            };
            (
                Some(measure(&client, &list, None, &args).await),
                revalidated,
                Some(measure(&client, &atom, None, &args).await),
            )
        }
        None => (None, None, None),
    };
    drop(nginx);

    let ratio = |ours: &Measured, theirs: &Option<Measured>| {
        theirs
            .as_ref()
            .map(|t| ours.requests_per_second / t.requests_per_second.max(1e-9))
    };
    let list_ratio = ratio(&prism_list, &nginx_list);
    let headline = format!(
        "GET /v1/warnings {:.0} req/s p99 {:.1} ms ({} × nginx); 304 {}; Atom {:.0} req/s",
        prism_list.requests_per_second,
        prism_list.latency.p99_ms,
        list_ratio.map_or("no nginx".to_owned(), |r| format!("{r:.2}")),
        prism_304.as_ref().map_or("no ETag".to_owned(), |m| format!(
            "{:.0} req/s",
            m.requests_per_second
        )),
        prism_atom.requests_per_second,
    );
    Ok(Outcome {
        scenario: "public-reads",
        settings: json!({"connections": args.connections, "seconds": args.seconds, "body_bytes": list_body.len()}),
        figures: json!({
            "prism": {"list": prism_list, "not_modified": prism_304, "atom": prism_atom},
            "nginx": {"list": nginx_list, "not_modified": nginx_304, "atom": nginx_atom},
            "list_vs_nginx": list_ratio, "atom_vs_nginx": ratio(&prism_atom, &nginx_atom),
            "targets": {"list_vs_nginx": 0.5, "p99_ms": 10.0},
        }),
        headline,
    })
}

async fn measure(client: &reqwest::Client, url: &str, etag: Option<&str>, args: &Args) -> Measured {
    let until = Instant::now() + Duration::from_secs(args.seconds);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..args.connections {
        let (client, url, etag) = (client.clone(), url.to_owned(), etag.map(str::to_owned));
        workers.spawn(async move {
            let mut latency = Latencies::default();
            let (mut done, mut errors) = (0_u64, 0_u64);
            while Instant::now() < until {
                let started = Instant::now();
                let mut request = client.get(&url);
                if let Some(tag) = &etag {
                    request = request.header("If-None-Match", tag);
                }
                match request.send().await {
                    Ok(response)
                        if response.status().is_success() || response.status().as_u16() == 304 =>
                    {
                        let _ = response.bytes().await;
                        latency.record(started.elapsed());
                        done += 1;
                    }
                    _ => errors += 1,
                }
            }
            (latency, done, errors)
        });
    }
    let mut all = Latencies::default();
    let (mut done, mut errors) = (0, 0);
    while let Some(Ok((latency, d, e))) = workers.join_next().await {
        all.merge(&latency);
        done += d;
        errors += e;
    }
    Measured {
        requests_per_second: done as f64 / args.seconds.max(1) as f64,
        latency: all.summary(),
        errors,
    }
}

async fn seed(
    client: &reqwest::Client,
    stack: &Stack,
    base: &str,
    count: usize,
) -> anyhow::Result<()> {
    let (regulator, publisher) = (stack.token("regulator")?, stack.token("publisher")?);
    for i in 0..count {
        let draft: serde_json::Value = client
            .post(format!("{base}/v1/warnings"))
            .bearer_auth(regulator)
            .json(&json!({"type": "consumer_tip", "title_zh": format!("消费提示第{i}号：选购电热水器注意事项"),
                          "summary_zh": "选购时查看3C认证标志。", "advice_zh": "请勿购买无认证产品。",
                          "level": "medium", "category": "household_appliances", "districts": ["310104"]}))
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let id = draft["id"].as_str().context("draft id")?;
        client
            .post(format!("{base}/v1/warnings/{id}/approve"))
            .bearer_auth(publisher)
            .json(&json!({}))
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// nginx serving the same bytes, as its own process on a free port.
struct Nginx {
    child: Child,
    port: u16,
}

impl Nginx {
    fn start(folder: &Path, list: &[u8], atom: &[u8]) -> anyhow::Result<Self> {
        let binary = ["/usr/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .context("nginx is not installed (apt-get install -y nginx-light)")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        std::fs::create_dir_all(folder.join("root/v1"))?;
        std::fs::create_dir_all(folder.join("root/feeds"))?;
        std::fs::create_dir_all(folder.join("logs"))?;
        std::fs::write(folder.join("root/v1/warnings"), list)?;
        std::fs::write(folder.join("root/feeds/warnings.atom"), atom)?;
        let config = format!(
            "worker_processes auto;\npid {dir}/nginx.pid;\nerror_log {dir}/logs/error.log;\nevents {{ worker_connections 4096; }}\n\
             http {{ access_log off; server {{ listen 127.0.0.1:{port}; root {dir}/root; \
             location / {{ default_type application/json; etag on; }} }} }}\n",
            dir = folder.display()
        );
        std::fs::write(folder.join("nginx.conf"), config)?;
        let child = Command::new(binary)
            .arg("-p")
            .arg(folder)
            .arg("-c")
            .arg(folder.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(Self { child, port });
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        anyhow::bail!("nginx did not start")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM, which nginx's master passes on to its workers; SIGKILL would leave the
        // workers running, still serving their port, after every run.
        let stopped = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
