//! `GET /v1/stream`: Server-Sent Events for a regulator.
//!
//! On connect the stream listens to the hub first and then replays from the feed what came
//! after `Last-Event-ID`, so nothing falls between replay and live. A live event the replay
//! already sent is skipped by id (ids are UUIDv7, so they order). If the feed no longer holds
//! the given id, or this connection fell behind the hub, the stream says so with an
//! `event: gap` rather than skipping silently.

use std::{convert::Infallible, sync::Arc};

use axum::{
    body::Body,
    extract::{Extension, State},
    http::{header, HeaderMap, HeaderName},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use bytes::Bytes;
use futures::{future, stream, StreamExt as _};
use prism_platform::{
    auth::{Person, Role},
    http::{
        lean::{Lean, Takeover},
        ApiError, Text,
    },
};
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream, IntervalStream};
use uuid::Uuid;

use super::AppState;
use crate::{
    domain::feed::FeedItem,
    hub::{frame, gap, HEARTBEAT},
    store::{feed, subscriptions, subscriptions::Subscription},
};

/// The headers of every stream's response.
const EVENT_STREAM: [(HeaderName, &str); 2] = [
    (header::CONTENT_TYPE, "text/event-stream"),
    (header::CACHE_CONTROL, "no-cache"),
];

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
    lean: Option<Extension<Lean>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
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
    let listener = Arc::new(Listener {
        subscriptions: subscriptions::of_owner(&state.db, &person.id)
            .await?
            .into_iter()
            .filter(|s| s.channel.name() == "stream")
            .collect(),
        person,
    });
    if lean.is_some() {
        return handed_over(&state, listener, last_event_id).await;
    }
    let live = state.hub.subscribe();

    let Replay {
        first,
        watermark,
        cut,
    } = replay(&state, &listener, last_event_id).await?;
    if cut {
        return Ok(replay_only(first));
    }
    metrics::gauge!("notification_stream_connections").increment(1.0);
    let connection = ConnectionGauge;
    // Each live event was framed once by the hub for every connection: a connection only
    // decides whether it wants it and passes the same bytes on.
    let live = BroadcastStream::new(live).filter_map(move |received| {
        let _connection = &connection;
        future::ready(match received {
            Ok(live) if watermark.is_some_and(|w| live.item.id <= w) => None,
            Ok(live) => listener.wants(&live.item).then(|| live.frame.clone()),
            Err(BroadcastStreamRecvError::Lagged(missed)) => Some(gap(&format!(
                "{missed} events were missed; reconnect with Last-Event-ID"
            ))),
        })
    });
    // A heartbeat on a fixed beat, events or not: cheaper than a timer pushed back by every
    // event on every connection, and still one at least every `heartbeat`.
    let start = tokio::time::Instant::now() + state.heartbeat;
    let beats = IntervalStream::new(tokio::time::interval_at(start, state.heartbeat))
        .map(|_| Some(Bytes::from_static(HEARTBEAT)));
    // The events end only when the hub does (shutdown); the beats must end with them.
    let events = stream::iter(first)
        .chain(live)
        .map(Some)
        .chain(stream::once(future::ready(None)));
    let body = stream::select(events, beats)
        .take_while(|next| future::ready(next.is_some()))
        .filter_map(future::ready)
        .map(Ok::<_, Infallible>);
    Ok((EVENT_STREAM, Body::from_stream(body)).into_response())
}

/// A stream served by `lean`: the replay is the response's body, and the connection is then
/// handed to the hub, which writes the live events into it (`hub::direct`).
async fn handed_over(
    state: &AppState,
    listener: Arc<Listener>,
    last_event_id: Option<Uuid>,
) -> Result<Response, ApiError> {
    // Registered before the replay is read, as a body-served stream subscribes to the
    // broadcast first: nothing falls between the replay and the live events.
    let wants = listener.clone();
    let registration = state.hub.register(Box::new(move |item| wants.wants(item)));
    let Replay {
        first,
        watermark,
        cut,
    } = replay(state, &listener, last_event_id).await?;
    if cut {
        return Ok(replay_only(first));
    }
    registration.replayed_up_to(watermark);
    metrics::gauge!("notification_stream_connections").increment(1.0);
    let connection = ConnectionGauge;
    let heartbeat = state.heartbeat;
    let takeover = Takeover::new(move |socket| {
        Box::pin(async move {
            let _connection = connection;
            registration.serve(socket, heartbeat).await;
        })
    });
    Ok((EVENT_STREAM, Extension(takeover), frames(first)).into_response())
}

/// What a stream resuming after `Last-Event-ID` missed.
struct Replay {
    /// The missed events the caller wants, framed, or the notice that they can no longer be
    /// replayed.
    first: Vec<Bytes>,
    /// The last event replayed: live events up to it were sent already.
    watermark: Option<Uuid>,
    /// The replay reached `stream.replay_limit`: more may follow it.
    cut: bool,
}

async fn replay(
    state: &AppState,
    listener: &Listener,
    last_event_id: Option<Uuid>,
) -> Result<Replay, ApiError> {
    let mut replay = Replay {
        first: Vec::new(),
        watermark: None,
        cut: false,
    };
    if let Some(last) = last_event_id {
        if feed::holds(&state.db, last).await? {
            let missed = feed::after(&state.db, last, state.replay_limit).await?;
            replay.cut = missed.len() as u64 >= state.replay_limit;
            replay.watermark = missed.last().map(|item| item.id).or(Some(last));
            let wanted = missed.iter().filter(|item| listener.wants(item));
            replay.first.extend(wanted.map(frame));
            if replay.cut {
                // The client resumes from here: the `id` of a frame it wanted may be older
                // than the last event read, so the stream ends with an empty event that
                // moves its last event id up to the watermark.
                if let Some(watermark) = replay.watermark {
                    replay
                        .first
                        .push(Bytes::from(format!("id: {watermark}\n\n")));
                }
            }
        } else {
            replay
                .first
                .push(gap(&format!("event {last} is no longer held for replay")));
        }
    }
    Ok(replay)
}

/// A replay cut at the limit, and nothing live: the stream ends, and the client's reconnect
/// (with the last id it saw) replays the rest. Live events would have moved its last id past
/// what is still to be replayed.
fn replay_only(first: Vec<Bytes>) -> Response {
    (EVENT_STREAM, frames(first)).into_response()
}

/// A body of these frames and nothing more.
fn frames(first: Vec<Bytes>) -> Body {
    Body::from_stream(stream::iter(first.into_iter().map(Ok::<_, Infallible>)))
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

/// Counts open streams for the metrics; dropped with the stream.
struct ConnectionGauge;

impl Drop for ConnectionGauge {
    fn drop(&mut self) {
        metrics::gauge!("notification_stream_connections").decrement(1.0);
    }
}
