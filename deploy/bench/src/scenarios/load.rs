//! Posting reports as stations do.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Context as _;
use tokio::{io::AsyncWriteExt as _, net::TcpStream};

use super::socket;
use crate::stack::{Stack, Station};

/// A report body of the given kind, naming the station's first district.
pub fn body(kind: &str, n: u64, district: &str) -> serde_json::Value {
    let (product, content) = if kind == "important" {
        (
            "儿童电动滑板车",
            format!("第{n}例：充电时电池起火，1名儿童受伤"),
        )
    } else {
        ("移动电源", format!("第{n}条：电商评论反映充电宝发热鼓包"))
    };
    serde_json::json!({"kind": kind, "product": product, "districts": [district], "content": content})
}

/// Posts one report; returns its id and when the `201` arrived.
pub async fn post(
    client: &reqwest::Client,
    stack: &Stack,
    station: usize,
    kind: &str,
    n: u64,
) -> anyhow::Result<(String, Instant)> {
    let posted = post_timed(client, stack, station, kind, n).await?;
    Ok((posted.id, posted.answered))
}

/// A report posted, with when it was sent and when its `201` arrived.
pub struct Posted {
    pub id: String,
    pub submitted: Instant,
    /// `submitted` on the wall clock, to set beside the subscribers' stamps.
    pub submitted_wall: SystemTime,
    pub answered: Instant,
    /// When the `201` arrived, on the wall clock, to set beside the subscribers' stamps:
    /// the kernel's stamp where the post was stamped ([`post_stamped`]), else the time this
    /// process saw it.
    pub answered_wall: SystemTime,
}

/// The station that posts the `station`th report, and the report's body.
fn report_of<'a>(
    stack: &'a Stack,
    station: usize,
    kind: &str,
    n: u64,
) -> (&'a Station, serde_json::Value) {
    let station = &stack.stations[station % stack.stations.len()];
    let district = station
        .districts
        .first()
        .map(String::as_str)
        .unwrap_or("310115");
    (station, body(kind, n, district))
}

/// Posts one report and times both ends of the request.
pub async fn post_timed(
    client: &reqwest::Client,
    stack: &Stack,
    station: usize,
    kind: &str,
    n: u64,
) -> anyhow::Result<Posted> {
    let (station, report) = report_of(stack, station, kind, n);
    let request = client
        .post(format!("{}/v1/reports", stack.url("intake")?))
        .bearer_auth(&station.api_key)
        .json(&report);
    let (submitted, submitted_wall) = (Instant::now(), SystemTime::now());
    let response = request.send().await?;
    let answered = Instant::now();
    let answered_wall = SystemTime::now();
    let status = response.status();
    let accepted: serde_json::Value = response.json().await?;
    anyhow::ensure!(
        status.as_u16() == 201,
        "intake answered {status}: {accepted}"
    );
    let id = accepted["id"].as_str().unwrap_or_default().to_owned();
    Ok(Posted {
        id,
        submitted,
        submitted_wall,
        answered,
        answered_wall,
    })
}

/// Posts one report over a connection of its own, and takes the `201`'s arrival from the
/// kernel's stamp on the socket, as the subscribers' arrivals are taken: a `201` timed when
/// this process got round to it is late whenever the machine is busy, and every latency
/// measured from it too short (in one PostgreSQL run, 2026-12-06, a tenth of the arrivals
/// at the subscribers were stamped before the benchmark saw the `201`).
pub async fn post_stamped(
    stack: &Stack,
    station: usize,
    kind: &str,
    n: u64,
) -> anyhow::Result<Posted> {
    let (station, report) = report_of(stack, station, kind, n);
    let authority = stack
        .url("intake")?
        .strip_prefix("http://")
        .context("the intake URL is not http://")?
        .trim_end_matches('/');
    let body = serde_json::to_vec(&report)?;
    let mut request = format!(
        "POST /v1/reports HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        station.api_key,
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);

    let stream = TcpStream::connect(authority).await?;
    stream.set_nodelay(true)?;
    socket::stamp_arrivals(&stream)?;
    let (submitted, submitted_wall) = (Instant::now(), SystemTime::now());
    let mut stream = stream;
    stream.write_all(&request).await?;
    let (answered, answered_wall, response) =
        tokio::time::timeout(Duration::from_secs(30), read_response(&stream))
            .await
            .context("intake did not answer within 30 s")??;
    let text = String::from_utf8_lossy(&response);
    let (head, body) = text.split_once("\r\n\r\n").context("no response head")?;
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 201"),
        "intake answered {head}: {body}"
    );
    let accepted: serde_json::Value =
        serde_json::from_str(body).with_context(|| format!("the 201's body: {body}"))?;
    Ok(Posted {
        id: accepted["id"].as_str().unwrap_or_default().to_owned(),
        submitted,
        submitted_wall,
        answered,
        answered_wall,
    })
}

/// Reads one response with a `Content-Length` body (or up to the connection's end). Returns
/// when its first bytes were read and when they arrived: the kernel's stamp on that read,
/// else the wall clock at the read.
async fn read_response(stream: &TcpStream) -> anyhow::Result<(Instant, SystemTime, Vec<u8>)> {
    let (mut response, mut buffer) = (Vec::new(), vec![0_u8; 16 * 1024]);
    let mut first: Option<(Instant, SystemTime)> = None;
    loop {
        let (bytes, arrived) = socket::read_stamped(stream, &mut buffer).await?;
        if bytes == 0 {
            break;
        }
        first.get_or_insert_with(|| (Instant::now(), arrived.unwrap_or_else(SystemTime::now)));
        response.extend_from_slice(&buffer[..bytes]);
        if is_complete(&response) {
            break;
        }
    }
    let (read, arrived) = first.context("intake closed without answering")?;
    Ok((read, arrived, response))
}

/// Whether `response` holds its head and all of the body its `Content-Length` announces.
fn is_complete(response: &[u8]) -> bool {
    let Some(end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&response[..end]);
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .is_some_and(|length| response.len() >= end + 4 + length)
}

/// Posts routine reports at `rate` per second until `until`; returns how many were accepted.
pub async fn routine_background(
    client: reqwest::Client,
    stack: Stack,
    rate: u64,
    until: Instant,
) -> u64 {
    if rate == 0 {
        return 0;
    }
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    // Ticks missed while the generator itself waited for a processor are made up at once
    // (the interval's default): skipping them had the background fall short of its rate,
    // to about 450 reports/s of 500 on a busy machine.
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut n = 0_u64;
    let mut tasks = tokio::task::JoinSet::new();
    while Instant::now() < until {
        tick.tick().await;
        n += 1;
        let (client, stack, accepted) = (client.clone(), stack.clone(), accepted.clone());
        tasks.spawn(async move {
            if post(&client, &stack, n as usize, "routine", n)
                .await
                .is_ok()
            {
                accepted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
        // Reap finished posts so the set stays small under a long run.
        while tasks.try_join_next().is_some() {}
    }
    while tasks.join_next().await.is_some() {}
    accepted.load(std::sync::atomic::Ordering::Relaxed)
}
