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

use futures::StreamExt as _;
use prism_contracts::{subjects::v1, RawEnvelope};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::domain::feed::FeedItem;

/// Events kept for connections that fall behind before they are told to replay.
const CAPACITY: usize = 4096;

/// An event on its way to the connected streams, its data encoded once for all of them.
#[derive(Debug)]
pub struct Live {
    pub item: FeedItem,
    /// `item.data` as JSON text.
    pub text: String,
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
                let text = item.data.to_string();
                let _ = self.sender.send(Arc::new(Live { item, text }));
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
