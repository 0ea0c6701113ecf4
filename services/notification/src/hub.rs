//! The live fan-out inside one notification instance.
//!
//! Every instance subscribes (plain NATS, no consumer) to the subjects of the feed, so
//! each instance sees every event the moment JetStream stores it, and pushes it to the
//! streams of the regulators connected to it. Whichever instance holds a connection, its
//! regulator hears each event once. What a connection misses (it was down, it lagged) it gets
//! from the feed by `Last-Event-ID`; the durable consumers keep that feed.
//!
//! Streams served by `prism_platform::http::lean` are written to by the hub's fan-out
//! thread itself ([`direct`]); the others listen to a broadcast and write their own.

pub mod direct;

use std::{
    collections::{HashSet, VecDeque},
    sync::Arc,
};

use bytes::Bytes;
use futures::StreamExt as _;
use prism_contracts::{subjects::v1, RawEnvelope};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::domain::feed::FeedItem;

/// Events kept for connections that fall behind before they are told to replay.
const CAPACITY: usize = 4096;

/// The comment sent between events so that proxies and clients see the stream alive.
pub const HEARTBEAT: &[u8] = b": heartbeat\n\n";
/// [`HEARTBEAT`] as one chunk (see [`chunk`]).
const HEARTBEAT_CHUNK: &[u8] = b"D\r\n: heartbeat\n\n\r\n";

/// An event on its way to the connected streams, framed once for all of them.
#[derive(Debug)]
pub struct Live {
    pub item: FeedItem,
    /// The event as the stream sends it (see [`frame`]).
    pub frame: Bytes,
    /// The same as one chunk of a chunked response, for the streams written directly.
    pub chunk: Bytes,
}

impl Live {
    pub fn new(item: FeedItem) -> Self {
        let frame = frame(&item);
        Self {
            chunk: chunk(&frame),
            item,
            frame,
        }
    }
}

/// An event in `text/event-stream` framing: its `id`, its `event` name and `data` (compact
/// JSON, which has no line breaks), then the blank line that ends it.
pub fn frame(item: &FeedItem) -> Bytes {
    let (id, event, data) = (item.id.as_hyphenated(), item.event, &item.data);
    Bytes::from(format!("id: {id}\nevent: {event}\ndata: {data}\n\n"))
}

/// `frame` as one chunk of a `Transfer-Encoding: chunked` body.
pub fn chunk(frame: &[u8]) -> Bytes {
    let mut chunk = format!("{:X}\r\n", frame.len()).into_bytes();
    chunk.extend_from_slice(frame);
    chunk.extend_from_slice(b"\r\n");
    Bytes::from(chunk)
}

/// `event: gap`: what was missed can no longer be replayed.
pub fn gap(message: &str) -> Bytes {
    let data = serde_json::json!({"message": message}).to_string();
    Bytes::from(format!("event: gap\ndata: {data}\n\n"))
}

/// The connected streams of this instance: those served as a response body listen to the
/// broadcast; those handed over are in the registry.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Live>>,
    direct: Arc<direct::Registry>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(1)
    }
}

impl Hub {
    /// A hub whose handed-over streams are written by `fan_out_threads` threads.
    pub fn new(fan_out_threads: usize) -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            direct: Arc::new(direct::Registry::new(fan_out_threads)),
        }
    }

    /// A new listener; it sees events sent from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Live>> {
        self.sender.subscribe()
    }

    /// A stream to be handed over: it takes the events it `wants` from now on, and holds
    /// them until it is served.
    pub fn register(&self, wants: direct::Wants) -> direct::Registration {
        self.direct.register(wants)
    }

    /// Feeds the hub from NATS until `shutdown`.
    pub async fn run(self, nats: async_nats::Client, shutdown: CancellationToken) {
        let mut streams = Vec::new();
        for subject in [
            v1::ALERT_RAISED,
            v1::WARNING_PUBLISHED,
            v1::STATION_REPORT_OVERDUE,
            v1::CASE_OVERDUE,
        ] {
            match nats.subscribe(subject).await {
                Ok(subscriber) => streams.push(subscriber),
                Err(error) => {
                    tracing::error!(error = %error, "live fan-out could not subscribe; streams rely on replay");
                    return;
                }
            }
        }
        let mut messages = std::pin::pin!(
            futures::stream::select_all(streams).take_until(shutdown.cancelled_owned())
        );
        // The writes into the handed-over streams run on threads of their own
        // (`stream.fan_out_threads`), each writing to its share of the connections: a
        // fan-out to thousands is milliseconds of system calls, which would hold up a
        // runtime worker.
        let mut fan_outs = Vec::new();
        for share in 0..self.direct.shares() {
            let (fan_out, events) = std::sync::mpsc::channel::<Arc<Live>>();
            let registry = self.direct.clone();
            let started = std::thread::Builder::new()
                .name(format!("fanout-{share}"))
                .spawn(move || {
                    // It sleeps until an event comes and then only writes, a bounded
                    // piece of work: it may run before everything else on the machine,
                    // and an alert's last subscribers should not wait for the others.
                    prism_runtime::priority::urgent::make_this_thread_urgent();
                    fan_out_forever(share, &registry, &events);
                });
            if let Err(error) = started {
                tracing::error!(error = %error, "live fan-out thread did not start; streams rely on replay");
                return;
            }
            fan_outs.push(fan_out);
        }
        // A relay that republishes after a crash reaches plain subscribers twice; JetStream
        // dropped the copy, and so must we.
        let mut seen = Seen::default();
        while let Some(message) = messages.next().await {
            let Some(item) = decode(&message.payload) else {
                continue;
            };
            if seen.insert(item.id) {
                metrics::counter!("notification_live_events_total", "event" => item.event)
                    .increment(1);
                let live = Arc::new(Live::new(item));
                // Handed-over streams first: they are nearly all of them.
                for fan_out in &fan_outs {
                    let _ = fan_out.send(live.clone());
                }
                // No listener is fine: nobody is connected to this instance.
                let _ = self.sender.send(live);
            }
        }
    }
}

/// One fan-out thread's life: writes each event to its share of the handed-over streams
/// until the hub stops.
fn fan_out_forever(
    share: usize,
    registry: &direct::Registry,
    events: &std::sync::mpsc::Receiver<Arc<Live>>,
) {
    loop {
        // A panic in one fan-out (in a subscription's filter, say) must not
        // silence this share's streams for good: they are closed, so that
        // their clients reconnect and replay, and the thread carries on.
        let fanned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for live in events.iter() {
                registry.fan_out_share(share, &live);
            }
        }));
        if fanned.is_ok() {
            // The hub stopped.
            return;
        }
        tracing::error!(share, "live fan-out panicked; closing its streams");
        registry.close_share(share);
    }
}

fn decode(payload: &[u8]) -> Option<FeedItem> {
    FeedItem::from_event(RawEnvelope::from_slice(payload).ok()?)
        .ok()
        .flatten()
}

/// The last ids seen, bounded.
#[derive(Default)]
struct Seen {
    set: HashSet<Uuid>,
    order: VecDeque<Uuid>,
}

impl Seen {
    fn insert(&mut self, id: Uuid) -> bool {
        if !self.set.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > 10_000 {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
        true
    }
}

/// An important alert to every district, carrying `data`.
#[cfg(test)]
pub(crate) fn alert_item(data: serde_json::Value) -> FeedItem {
    FeedItem {
        id: Uuid::now_v7(),
        event: "alert",
        event_type: "important_alert",
        level: None,
        category: None,
        districts: vec![],
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heartbeat_chunk_is_the_heartbeat_chunked() {
        assert_eq!(chunk(HEARTBEAT), Bytes::from_static(HEARTBEAT_CHUNK));
    }

    #[test]
    fn a_frame_is_one_event_whatever_its_text_holds() {
        let data = serde_json::json!({"product": "电暖器\n第二行", "note": "a\r\nb"});
        let item = alert_item(data.clone());
        let framed = frame(&item);
        let text = std::str::from_utf8(&framed).expect("UTF-8");
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), 5, "id, event, data, blank line: {text:?}");
        assert_eq!(lines[0], format!("id: {}", item.id));
        assert_eq!(lines[1], "event: alert");
        let sent: serde_json::Value =
            serde_json::from_str(lines[2].strip_prefix("data: ").expect("data line"))
                .expect("JSON");
        assert_eq!(sent, data);
        assert_eq!(&lines[3..], ["", ""]);
        assert!(!text.contains('\r'));
    }
}
