//! Public reads: `GET /v1/warnings` (first page), its `304` path, and the Atom feed under
//! load, beside nginx serving the same bytes as static files, with the same load and the
//! same connections in one run.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::Duration,
};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::json;

use super::wrk;
use crate::{report::Outcome, stack::Stack};

#[derive(clap::Args)]
pub struct Args {
    /// Concurrent connections.
    #[arg(long, default_value_t = 100)]
    connections: usize,
    /// Seconds per measurement.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Measurements of each server per kind of read, alternating which goes first.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Warnings to draft and publish first (the issue measures with 1,000 published).
    #[arg(long, default_value_t = 0)]
    seed: usize,
}

/// One server's rounds of one kind of read, and what they add up to.
#[derive(Debug, Serialize)]
struct Side {
    /// All rounds' requests over all rounds' time.
    requests_per_second: f64,
    /// The median of the rounds' medians.
    p50_ms: f64,
    /// The worst round's.
    p99_ms: f64,
    max_ms: f64,
    errors: u64,
    rounds: Vec<wrk::Run>,
}

impl Side {
    fn of(rounds: Vec<wrk::Run>) -> Self {
        let requests: u64 = rounds.iter().map(|r| r.requests).sum();
        let seconds: f64 = rounds.iter().map(|r| r.seconds).sum();
        let mut medians: Vec<f64> = rounds.iter().map(|r| r.p50_ms).collect();
        medians.sort_by(f64::total_cmp);
        let worst = |pick: fn(&wrk::Run) -> f64| rounds.iter().map(pick).fold(0.0, f64::max);
        Self {
            requests_per_second: requests as f64 / seconds.max(1e-9),
            p50_ms: medians.get(medians.len() / 2).copied().unwrap_or(0.0),
            p99_ms: worst(|r| r.p99_ms),
            max_ms: worst(|r| r.max_ms),
            errors: rounds.iter().map(|r| r.errors).sum(),
            rounds,
        }
    }
}

/// One kind of read on both servers.
#[derive(Debug, Serialize)]
struct Compared {
    prism: Side,
    nginx: Side,
    /// PRISM's throughput over nginx's.
    vs_nginx: f64,
}

/// Where one kind of read is sent on each server.
struct Read<'a> {
    prism: &'a str,
    nginx: &'a str,
    prism_etag: Option<&'a str>,
    nginx_etag: Option<&'a str>,
}

pub async fn run(stack: &Stack, args: Args) -> anyhow::Result<Outcome> {
    let client = reqwest::Client::new();
    let base = stack.url("warning-publication")?.to_owned();
    seed(&client, stack, &base, args.seed).await?;

    let list_url = format!("{base}/v1/warnings");
    let atom_url = format!("{base}/feeds/warnings.atom");
    let first = client.get(&list_url).send().await?;
    let etag = etag_of(&first);
    let list_body = first.bytes().await?;
    let atom_body = client.get(&atom_url).send().await?.bytes().await?;

    let folder = tempfile::tempdir()?;
    let nginx = Nginx::start(folder.path(), &list_body, &atom_body)?;
    let nginx_list = format!("http://127.0.0.1:{}/v1/warnings", nginx.port);
    let nginx_atom = format!("http://127.0.0.1:{}/feeds/warnings.atom", nginx.port);
    let nginx_etag = etag_of(&client.get(&nginx_list).send().await?);
    let (etag, nginx_etag) = (
        etag.context("PRISM's list has no ETag")?,
        nginx_etag.context("nginx's file has no ETag")?,
    );

    let list = compare(
        &args,
        Read {
            prism: &list_url,
            nginx: &nginx_list,
            prism_etag: None,
            nginx_etag: None,
        },
    )
    .await?;
    let not_modified = compare(
        &args,
        Read {
            prism: &list_url,
            nginx: &nginx_list,
            prism_etag: Some(&etag),
            nginx_etag: Some(&nginx_etag),
        },
    )
    .await?;
    let atom = compare(
        &args,
        Read {
            prism: &atom_url,
            nginx: &nginx_atom,
            prism_etag: None,
            nginx_etag: None,
        },
    )
    .await?;
    drop(nginx);

    let headline = format!(
        "GET /v1/warnings {:.0} req/s p99 {:.1} ms ({:.2} × nginx); 304 {:.0} req/s ({:.2} × nginx); Atom {:.0} req/s ({:.2} × nginx); wrk, {} rounds",
        list.prism.requests_per_second,
        list.prism.p99_ms,
        list.vs_nginx,
        not_modified.prism.requests_per_second,
        not_modified.vs_nginx,
        atom.prism.requests_per_second,
        atom.vs_nginx,
        args.rounds,
    );
    Ok(Outcome {
        scenario: "public-reads",
        settings: json!({"connections": args.connections, "seconds": args.seconds, "rounds": args.rounds,
                         "body_bytes": list_body.len(), "load": "wrk --threads=1"}),
        figures: json!({
            "list_vs_nginx": list.vs_nginx, "not_modified_vs_nginx": not_modified.vs_nginx,
            "atom_vs_nginx": atom.vs_nginx,
            "list": list, "not_modified": not_modified, "atom": atom,
            "targets": {"list_vs_nginx": 0.5, "p99_ms": 10.0, "not_modified_vs_nginx": 1.0},
        }),
        headline,
    })
}

fn etag_of(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Measures both servers `rounds` times, one after the other, alternating which goes first,
/// so that a slow spell of the machine falls on both alike.
async fn compare(args: &Args, read: Read<'_>) -> anyhow::Result<Compared> {
    let duration = Duration::from_secs(args.seconds);
    let (mut prism, mut nginx) = (Vec::new(), Vec::new());
    for round in 0..args.rounds.max(1) {
        let ours = || wrk::run(read.prism, read.prism_etag, args.connections, duration);
        let theirs = || wrk::run(read.nginx, read.nginx_etag, args.connections, duration);
        if round % 2 == 0 {
            prism.push(ours().await?);
            nginx.push(theirs().await?);
        } else {
            nginx.push(theirs().await?);
            prism.push(ours().await?);
        }
    }
    let (prism, nginx) = (Side::of(prism), Side::of(nginx));
    Ok(Compared {
        vs_nginx: prism.requests_per_second / nginx.requests_per_second.max(1e-9),
        prism,
        nginx,
    })
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
