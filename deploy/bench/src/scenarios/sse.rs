//! Regulators' SSE connections: each records when it received which report's alert.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Instant, SystemTime},
};

use anyhow::Context as _;

use super::socket;
use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpStream,
    sync::watch,
};

/// One subscriber's receipt of one alert.
#[derive(Clone, Copy, Debug)]
pub struct Receipt {
    /// When the subscriber's task read it.
    pub read: Instant,
    /// When its last byte reached the subscriber's socket, stamped by the kernel
    /// (`SO_TIMESTAMPNS`, wall clock; [`socket::receive`]). The subscribers share the two
    /// processors with the stack they measure: the read also waits for this process's turn
    /// on a processor, and a regulator's browser on a machine of its own would not.
    pub arrived: Option<SystemTime>,
}

/// When each subscriber got each report's alert.
pub type Receipts = Arc<Mutex<HashMap<String, Vec<Receipt>>>>;

/// Makes sure the regulator has a stream subscription that hears every alert.
pub async fn ensure_subscription(
    client: &reqwest::Client,
    notification: &str,
    token: &str,
) -> anyhow::Result<()> {
    let existing: serde_json::Value = client
        .get(format!("{notification}/v1/subscriptions"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let has_stream = existing.as_array().is_some_and(|subs| {
        subs.iter().any(|s| {
            s["channel"]["type"] == "stream"
                && s["filters"]["districts"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
                && s["filters"]["event_types"]
                    .as_array()
                    .is_none_or(Vec::is_empty)
        })
    });
    if !has_stream {
        client
            .post(format!("{notification}/v1/subscriptions"))
            .bearer_auth(token)
            .json(&serde_json::json!({"channel": {"type": "stream"}}))
            .send()
            .await?
            .error_for_status()?;
    }
    Ok(())
}

/// Opens `count` SSE connections and records each alert's arrival per report id.
/// Returns once every connection is open (the server answered 200).
///
/// Each connection is a bare TCP stream that reads the chunked response and picks out each
/// alert's `report_id`, and nothing more: the subscribers share the two processors with the
/// stack they measure, and the first client (reqwest, an `eventsource` parser and a whole
/// JSON tree per event) spent about as long per event as the server spent sending it, which
/// the latency then counted.
///
/// The connections live on a runtime of their own ([`socket::runtime`]); the kernel's stamp
/// of each event's arrival ([`Receipt::arrived`]) does not depend on how its threads are
/// scheduled.
pub async fn connect(
    notification: &str,
    token: &str,
    count: usize,
    receipts: Receipts,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let (notification, token) = (notification.to_owned(), token.to_owned());
    socket::runtime()
        .spawn(async move { open(&notification, &token, count, receipts, stop).await })
        .await?
}

async fn open(
    notification: &str,
    token: &str,
    count: usize,
    receipts: Receipts,
    stop: watch::Receiver<bool>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let authority = notification
        .strip_prefix("http://")
        .context("the notification URL is not http://")?
        .trim_end_matches('/')
        .to_owned();
    let request = format!(
        "GET /v1/stream HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    let mut handles = Vec::with_capacity(count);
    for _ in 0..count {
        // One connection per subscriber, as separate regulators' browsers would have.
        let mut stream = TcpStream::connect(&authority).await?;
        stream.set_nodelay(true)?;
        socket::stamp_arrivals(&stream)?;
        stream.write_all(request.as_bytes()).await?;
        let mut reader = Reader::default();
        reader.head(&mut stream).await?;
        let receipts = receipts.clone();
        let mut stop = stop.clone();
        handles.push(tokio::spawn(async move {
            let mut buffer = vec![0_u8; 16 * 1024];
            loop {
                tokio::select! {
                    read = socket::read_stamped(&stream, &mut buffer) => {
                        let Ok((n @ 1.., arrived)) = read else { return };
                        let read = Instant::now();
                        for report in reader.alerts(&buffer[..n]) {
                            if let Ok(mut receipts) = receipts.lock() {
                                receipts.entry(report).or_default().push(Receipt { read, arrived });
                            }
                        }
                    }
                    _ = stop.changed() => return,
                }
            }
        }));
    }
    Ok(handles)
}

/// The client side of one stream: a chunked body carrying `text/event-stream`.
#[derive(Default)]
struct Reader {
    /// Bytes received and not yet taken apart.
    raw: Vec<u8>,
    /// The event stream, de-chunked, up to the end of the last whole event.
    events: Vec<u8>,
    /// Bytes of the current chunk still to come.
    in_chunk: usize,
}

impl Reader {
    /// Reads the response head; fails unless it is a `200`.
    async fn head(&mut self, stream: &mut TcpStream) -> anyhow::Result<()> {
        let mut buffer = [0_u8; 4096];
        loop {
            let n = stream.read(&mut buffer).await?;
            anyhow::ensure!(n > 0, "the stream closed before its head");
            self.raw.extend_from_slice(&buffer[..n]);
            if let Some(end) = find(&self.raw, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&self.raw[..end]).into_owned();
                anyhow::ensure!(
                    head.starts_with("HTTP/1.1 200"),
                    "the stream answered {head}"
                );
                self.raw.drain(..end + 4);
                return Ok(());
            }
        }
    }

    /// Takes in what was read and returns the report ids of the alerts it completed.
    fn alerts(&mut self, read: &[u8]) -> Vec<String> {
        self.raw.extend_from_slice(read);
        self.dechunk();
        let mut found = Vec::new();
        let mut at = 0;
        while let Some(end) = find(&self.events[at..], b"\n\n") {
            if let Some(report) = alert_report(&self.events[at..at + end + 2]) {
                found.push(report);
            }
            at += end + 2;
        }
        self.events.drain(..at);
        found
    }

    /// Moves chunk payloads from `raw` to `events`.
    fn dechunk(&mut self) {
        let mut at = 0;
        loop {
            if self.in_chunk > 0 {
                let take = self.in_chunk.min(self.raw.len() - at);
                self.events.extend_from_slice(&self.raw[at..at + take]);
                self.in_chunk -= take;
                at += take;
                if self.in_chunk > 0 {
                    break;
                }
                continue;
            }
            // A chunk's size line, after the previous chunk's CRLF if any.
            let rest = &self.raw[at..];
            let rest = rest.strip_prefix(b"\r\n").unwrap_or(rest);
            let skipped = self.raw.len() - at - rest.len();
            let Some(line) = find(rest, b"\r\n") else {
                break;
            };
            let size = std::str::from_utf8(&rest[..line])
                .ok()
                .and_then(|l| usize::from_str_radix(l.split(';').next()?.trim(), 16).ok());
            match size {
                Some(size) if size > 0 => {
                    self.in_chunk = size;
                    at += skipped + line + 2;
                }
                // The last chunk, or not chunked after all: the stream is over.
                _ => {
                    at = self.raw.len();
                    break;
                }
            }
        }
        self.raw.drain(..at);
    }
}

/// The report id of an `event: alert`, if this is one. Read straight from the bytes: this
/// runs for every event at every subscriber, on the processors the stack is measured on.
fn alert_report(event: &[u8]) -> Option<String> {
    let is_alert = event
        .split(|b| *b == b'\n')
        .any(|line| line.strip_prefix(b"event:").map(<[u8]>::trim_ascii) == Some(b"alert"));
    if !is_alert {
        return None;
    }
    const KEY: &[u8] = b"\"report_id\":\"";
    let start = find(event, KEY)? + KEY.len();
    let length = event[start..].iter().position(|b| *b == b'"')?;
    String::from_utf8(event[start..start + length].to_vec()).ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_alerts_out_of_chunks_split_anywhere() {
        let event = |id: &str, kind: &str| {
            format!(
                "id: {id}\nevent: {kind}\ndata: {{\"alert_id\":\"a\",\"report_id\":\"{id}\"}}\n\n"
            )
        };
        let mut wire = Vec::new();
        for (id, kind) in [("r1", "alert"), ("w1", "warning"), ("r2", "alert")] {
            let body = event(id, kind);
            wire.extend_from_slice(format!("{:x}\r\n{body}\r\n", body.len()).as_bytes());
        }
        wire.extend_from_slice(b"d\r\n: heartbeat\n\n\r\n");
        for step in [1, 3, 7, wire.len()] {
            let mut reader = Reader::default();
            let mut found = Vec::new();
            for piece in wire.chunks(step) {
                found.extend(reader.alerts(piece));
            }
            assert_eq!(found, ["r1", "r2"], "read {step} bytes at a time");
        }
    }
}
