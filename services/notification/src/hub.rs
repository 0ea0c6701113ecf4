//! The live fan-out inside one notification instance.
//!
//! Every instance subscribes (plain NATS, no consumer) to the subjects of the feed, so
//! each instance sees every event the moment JetStream stores it, and pushes it to the
//! streams of the regulators connected to it. Whichever instance holds a connection, its
//! regulator hears each event once. What a connection misses (it was down, it lagged) it gets
//! from the feed by `Last-Event-ID`; the durable consumers keep that feed.

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

/// An event on its way to the connected streams, framed once for all of them.
#[derive(Debug)]
pub struct Live {
    pub item: FeedItem,
    /// The event as the stream sends it (see [`frame`]).
    pub frame: Bytes,
}

/// An event in `text/event-stream` framing: its `id`, its `event` name and `data` (compact
/// JSON, which has no line breaks), then the blank line that ends it.
pub fn frame(item: &FeedItem) -> Bytes {
    let (id, event, data) = (item.id.as_hyphenated(), item.event, &item.data);
    Bytes::from(format!("id: {id}\nevent: {event}\ndata: {data}\n\n"))
}

/// The broadcast every connected stream listens to.
#[derive(Clone)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Live>>,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
        }
    }

    /// A new listener; it sees events sent from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Live>> {
        self.sender.subscribe()
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
                // No listener is fine: nobody is connected to this instance.
                let frame = frame(&item);
                let _ = self.sender.send(Arc::new(Live { item, frame }));
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_is_one_event_whatever_its_text_holds() {
        let data = serde_json::json!({"product": "电暖器\n第二行", "note": "a\r\nb"});
        let item = FeedItem {
            id: Uuid::now_v7(),
            event: "alert",
            event_type: "important_alert",
            level: None,
            category: None,
            districts: vec![],
            data: data.clone(),
        };
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
