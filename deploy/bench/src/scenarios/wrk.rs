//! HTTP load from `wrk` (Debian's package), for comparing PRISM with nginx.
//!
//! A load generator must be lighter than the servers it compares, or it measures itself. The
//! in-process `reqwest` loop the public reads used first spent more of the two processors
//! than either server (about 50,000 `304`s a second where `wrk` drives over 90,000 from the
//! same servers), so the comparison followed the generator's scheduling, and identical runs
//! varied by ±15 %. `wrk` is one thread on epoll; the servers are what runs out first.

use std::time::Duration;

use anyhow::Context as _;
use serde::Serialize;
use tokio::process::Command;

/// One `wrk` run: throughput, latency quantiles as `wrk` reports them, and failures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Run {
    pub requests: u64,
    pub seconds: f64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Socket errors and responses other than 2xx or 3xx.
    pub errors: u64,
}

/// Runs `wrk` with one thread and `connections` connections against `url` for `duration`,
/// with `If-None-Match: etag` when given.
pub async fn run(
    url: &str,
    etag: Option<&str>,
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Run> {
    let mut command = Command::new("wrk");
    command
        .arg("--threads=1")
        .arg(format!("--connections={}", connections.max(1)))
        .arg(format!("--duration={}s", duration.as_secs().max(1)))
        .arg("--latency");
    if let Some(tag) = etag {
        command.arg("--header").arg(format!("If-None-Match: {tag}"));
    }
    let output = command
        .arg(url)
        .output()
        .await
        .context("wrk is not installed (apt-get install -y wrk)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        anyhow::bail!(
            "wrk failed: {}{}",
            text,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    parse(&text).with_context(|| format!("reading wrk's report:\n{text}"))
}

/// Reads `wrk --latency`'s report.
fn parse(report: &str) -> anyhow::Result<Run> {
    let words = |line: &str| {
        line.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let mut run = Run::default();
    let mut totals = false;
    for line in report.lines() {
        let w = words(line);
        match w.as_slice() {
            [name, _avg, _stdev, max, ..] if name == "Latency" => run.max_ms = millis(max)?,
            [quantile, value] if quantile.ends_with('%') => {
                let value = millis(value)?;
                match quantile.as_str() {
                    "50%" => run.p50_ms = value,
                    "90%" => run.p90_ms = value,
                    "99%" => run.p99_ms = value,
                    _ => {}
                }
            }
            // "123456 requests in 5.00s, 12.34MB read"
            [count, requests, _in, seconds, ..] if requests == "requests" => {
                run.requests = count.parse()?;
                run.seconds = seconds
                    .trim_end_matches(',')
                    .trim_end_matches('s')
                    .parse()?;
                totals = true;
            }
            // "Socket errors: connect 0, read 0, write 0, timeout 0"
            [socket, errors, rest @ ..] if socket == "Socket" && errors == "errors:" => {
                run.errors += rest
                    .iter()
                    .filter_map(|n| n.trim_end_matches(',').parse::<u64>().ok())
                    .sum::<u64>();
            }
            // "Non-2xx or 3xx responses: 12"
            [.., responses, count] if responses == "responses:" => {
                run.errors += count.parse::<u64>()?
            }
            _ => {}
        }
    }
    anyhow::ensure!(totals, "no request count");
    run.requests_per_second = run.requests as f64 / run.seconds.max(1e-9);
    Ok(run)
}

/// `wrk`'s durations: `812.00us`, `1.03ms`, `2.10s`, `1.00m`.
fn millis(value: &str) -> anyhow::Result<f64> {
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .with_context(|| format!("no unit in {value}"))?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number.parse()?;
    Ok(match unit {
        "us" => number / 1000.0,
        "ms" => number,
        "s" => number * 1000.0,
        "m" => number * 60_000.0,
        "h" => number * 3_600_000.0,
        _ => anyhow::bail!("unknown unit in {value}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_wrk_report() {
        let report = "Running 5s test @ http://127.0.0.1:8084/v1/warnings
  1 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.03ms    1.19ms   9.39ms   86.77%
    Req/Sec   106.72k     5.10k  113.40k    82.00%
  Latency Distribution
     50%  812.00us
     75%    1.20ms
     90%    2.10ms
     99%    5.93ms
  531066 requests in 5.00s, 120.03MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec: 106195.15
Transfer/sec:     24.01MB
";
        let run = parse(report).expect("parsed");
        assert_eq!(run.requests, 531_066);
        assert!((run.seconds - 5.0).abs() < 1e-9);
        assert!((run.p50_ms - 0.812).abs() < 1e-9);
        assert!((run.p90_ms - 2.10).abs() < 1e-9);
        assert!((run.p99_ms - 5.93).abs() < 1e-9);
        assert!((run.max_ms - 9.39).abs() < 1e-9);
        assert_eq!(run.errors, 7);
        assert!((run.requests_per_second - 106_213.2).abs() < 0.1);
    }
}
