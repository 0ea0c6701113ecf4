//! `GET /v1/stream`: Server-Sent Events for a regulator.
//!
//! On connect the stream listens to the hub first and then replays from the feed what came
//! after `Last-Event-ID`, so nothing falls between replay and live. A live event the replay
//! already sent is skipped by id (ids are UUIDv7, so they order). If the feed no longer holds
//! the given id, or this connection fell behind the hub, the stream says so with an
//! `event: gap` rather than skipping silently.

use std::{convert::Infallible, sync::Arc};

use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
    routing::get,
    Router,
};
use futures::{stream, Stream, StreamExt as _};
use prism_platform::{
    auth::{Person, Role},
    http::{ApiError, Text},
};
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};
use uuid::Uuid;

use super::AppState;
use crate::{
    domain::feed::FeedItem,
    store::{feed, subscriptions, subscriptions::Subscription},
};

/// The most a reconnect replays in one go.
const REPLAY_LIMIT: u64 = 10_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/stream", get(stream))
}

/// The caller's live stream (regulator), per their stream subscriptions: `event: alert`,
/// `event: warning`, `event: station_report_overdue`, `event: case_overdue`, each with an
/// `id`; `event: gap` when what was missed can no longer be replayed.
#[utoipa::path(get, path = "/v1/stream",
    params(("Last-Event-ID" = Option<String>, Header, description = "replay what came after this event")),
    responses((status = 200, content_type = "text/event-stream")), security(("bearer" = [])))]
pub async fn stream(
    State(state): State<AppState>,
    person: Person,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    person.require(&[Role::Regulator])?;
    let last_event_id = match headers.get("last-event-id") {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| Uuid::parse_str(v.trim()).ok())
                .ok_or_else(|| {
                    ApiError::field(
                        "Last-Event-ID",
                        Text::new(
                            "Last-Event-ID 无效",
                            "Last-Event-ID is not a valid event id",
                        ),
                    )
                })?,
        ),
    };
    let listener = Listener {
        subscriptions: subscriptions::of_owner(&state.db, &person.id)
            .await?
            .into_iter()
            .filter(|s| s.channel.name() == "stream")
            .collect(),
        person,
    };
    let live = state.hub.subscribe();

    let mut first: Vec<Event> = Vec::new();
    let mut watermark = None;
    if let Some(last) = last_event_id {
        if feed::holds(&state.db, last).await? {
            let missed = feed::after(&state.db, last, REPLAY_LIMIT).await?;
            watermark = missed.last().map(|item| item.id).or(Some(last));
            first.extend(
                missed
                    .iter()
                    .filter(|item| listener.wants(item))
                    .map(to_event),
            );
        } else {
            first.push(gap(&format!("event {last} is no longer held for replay")));
        }
    }
    metrics::gauge!("notification_stream_connections").increment(1.0);
    let connection = ConnectionGauge;
    let listener = Arc::new(listener);
    let live = BroadcastStream::new(live).filter_map(move |received| {
        let listener = listener.clone();
        let _connection = &connection;
        let event = match received {
            Ok(live) if watermark.is_some_and(|w| live.item.id <= w) => None,
            Ok(live) => listener
                .wants(&live.item)
                .then(|| event(&live.item, live.text.clone())),
            Err(BroadcastStreamRecvError::Lagged(missed)) => Some(gap(&format!(
                "{missed} events were missed; reconnect with Last-Event-ID"
            ))),
        };
        async move { event.map(Ok) }
    });
    let events = stream::iter(first.into_iter().map(Ok)).chain(live);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(state.heartbeat).text("heartbeat")))
}

struct Listener {
    person: Person,
    subscriptions: Vec<Subscription>,
}

impl Listener {
    fn wants(&self, item: &FeedItem) -> bool {
        self.person.sees_any(&item.districts) && self.subscriptions.iter().any(|s| s.wants(item))
    }
}

fn to_event(item: &FeedItem) -> Event {
    event(item, item.data.to_string())
}

fn event(item: &FeedItem, data: String) -> Event {
    Event::default()
        .id(item.id.to_string())
        .event(item.event)
        .data(data)
}

fn gap(message: &str) -> Event {
    Event::default()
        .event("gap")
        .data(serde_json::json!({"message": message}).to_string())
}

/// Counts open streams for the metrics; dropped with the stream.
struct ConnectionGauge;

impl Drop for ConnectionGauge {
    fn drop(&mut self) {
        metrics::gauge!("notification_stream_connections").decrement(1.0);
    }
}
