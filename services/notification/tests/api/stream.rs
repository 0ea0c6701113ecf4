//! The live stream: replay after reconnect, gaps said out loud, several instances, and
//! every event type.

use std::time::Duration;

use chrono::Utc;
use prism_contracts::{
    events::{assessment::CaseOverdue, intake::StationReportOverdue},
    Envelope,
};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{alert, settings, World};

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_reconnecting_stream_replays_what_it_missed() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let mut events = app.stream(&world, &alice, None).await;
    let first = world.raise(alert()).await;
    let seen = events.next("alert", WAIT).await.expect("first alert");
    assert_eq!(seen.id, first.data.alert_id.to_string());
    drop(events);

    let second = world.raise(alert()).await;
    let third = world.raise(alert()).await;
    let last = world.raise(alert()).await;
    // Wait until the feed holds them all (the consumer records the feed).
    app.delivery_with_status(&world, last.data.alert_id, "stream", "delivered")
        .await;

    let mut resumed = app.stream(&world, &alice, Some(&seen.id)).await;
    for expected in [&second, &third, &last] {
        let event = resumed.next("alert", WAIT).await.expect("replayed alert");
        assert_eq!(event.id, expected.data.alert_id.to_string());
        let data: serde_json::Value = serde_json::from_str(&event.data).expect("json");
        assert_eq!(data["report_id"], expected.data.report_id.to_string());
    }
    assert!(
        resumed
            .next("alert", Duration::from_millis(500))
            .await
            .is_none(),
        "nothing twice"
    );
}

/// A replay longer than `stream.replay_limit` is served in pages: the stream ends after a
/// page, with the last event id moved to the last event read, and the reconnect resumes
/// from there; only the last page goes on live.
#[tokio::test]
async fn a_long_replay_ends_the_stream_and_the_reconnect_resumes_it() {
    let world = World::new().await;
    let mut own = settings();
    own.stream.replay_limit = 2;
    let app = world.instance(own).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let mut events = app.stream(&world, &alice, None).await;
    let first = world.raise(alert()).await;
    events.next("alert", WAIT).await.expect("first alert");
    drop(events);
    let mut missed = Vec::new();
    for _ in 0..3 {
        missed.push(world.raise(alert()).await.data.alert_id.to_string());
    }
    app.delivery_with_status(
        &world,
        missed[2].parse().expect("uuid"),
        "stream",
        "delivered",
    )
    .await;

    // The first page: two events, then the stream ends.
    let page = tokio::time::timeout(WAIT, async {
        world
            .client
            .get(format!("{}/v1/stream", app.address))
            .bearer_auth(&alice)
            .header("Last-Event-ID", first.data.alert_id.to_string())
            .send()
            .await
            .expect("stream opens")
            .text()
            .await
            .expect("the page ends")
    })
    .await
    .expect("the first page ends by itself");
    let ids: Vec<&str> = page
        .lines()
        .filter_map(|line| line.strip_prefix("id: "))
        .collect();
    assert_eq!(
        ids,
        [&missed[0], &missed[1], &missed[1]],
        "two events, then the id to resume from: {page}"
    );

    // The reconnect resumes after the last id it saw, and goes on live.
    let mut resumed = app.stream(&world, &alice, Some(&missed[1])).await;
    let event = resumed.next("alert", WAIT).await.expect("the rest");
    assert_eq!(event.id, missed[2]);
    let live = world.raise(alert()).await;
    let event = resumed.next("alert", WAIT).await.expect("live");
    assert_eq!(event.id, live.data.alert_id.to_string());
}

#[tokio::test]
async fn an_event_no_longer_held_is_reported_as_a_gap() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let forgotten = Uuid::now_v7().to_string();
    let mut events = app.stream(&world, &alice, Some(&forgotten)).await;
    let gap = events.next("gap", WAIT).await.expect("a gap event");
    assert!(gap.data.contains(&forgotten), "{}", gap.data);
}

#[tokio::test]
async fn two_instances_on_one_nats_tell_each_connected_regulator_once() {
    let world = World::new().await;
    let one = world.instance(settings()).await;
    let two = world.instance(settings()).await;
    let (alice, bob) = (world.regulator("alice"), world.regulator("bob"));
    one.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    two.subscribe(&world, &bob, json!({"channel": {"type": "stream"}}))
        .await;
    let mut alice_events = one.stream(&world, &alice, None).await;
    let mut bob_events = two.stream(&world, &bob, None).await;

    let raised = world.raise(alert()).await;
    for events in [&mut alice_events, &mut bob_events] {
        let event = events.next("alert", WAIT).await.expect("the alert");
        assert_eq!(event.id, raised.data.alert_id.to_string());
    }
    // Both instances recorded nothing twice, and nobody hears the alert again.
    let delivered = one
        .delivery_with_status(&world, raised.data.alert_id, "stream", "delivered")
        .await;
    assert_eq!(delivered["attempts"], 0);
    for events in [&mut alice_events, &mut bob_events] {
        assert!(events.next("alert", Duration::from_secs(1)).await.is_none());
    }
    let deliveries = two.deliveries(&world, raised.data.alert_id).await;
    let mut subscribers: Vec<&str> = deliveries
        .iter()
        .filter_map(|d| d["subscriber"].as_str())
        .collect();
    subscribers.sort_unstable();
    assert_eq!(subscribers, ["alice", "bob"]);
}

#[tokio::test]
async fn overdue_station_reports_and_cases_reach_only_those_who_asked_for_them() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let (alice, bob) = (world.regulator("alice"), world.regulator("bob"));
    let overdue_types = json!(["overdue_station_report", "case_overdue"]);
    app.subscribe(
        &world,
        &alice,
        json!({"channel": {"type": "stream"}, "filters": {"event_types": overdue_types}}),
    )
    .await;
    app.subscribe(
        &world,
        &bob,
        json!({"channel": {"type": "stream"}, "filters": {"event_types": ["important_alert"]}}),
    )
    .await;
    let mut alice_events = app.stream(&world, &alice, None).await;
    let mut bob_events = app.stream(&world, &bob, None).await;

    let station = Envelope::new(
        "intake",
        StationReportOverdue {
            station_id: Uuid::now_v7(),
            station_code: "SH-CP-007".to_owned(),
            station_name: "徐汇某社区监测点".to_owned(),
            districts: vec!["310104".to_owned()],
            period: "2026-10".to_owned(),
            due_date: "2026-10-26".to_owned(),
            detected_at: Utc::now(),
        },
    );
    world.publish(&station, &station.id.to_string()).await;
    let case = Envelope::new(
        "assessment",
        CaseOverdue {
            case_id: Uuid::now_v7(),
            report_ids: vec![Uuid::now_v7()],
            product: "电热毯".to_owned(),
            category: None,
            districts: vec!["310115".to_owned()],
            deadline: Utc::now(),
            detected_at: Utc::now(),
        },
    );
    world.publish(&case, &case.id.to_string()).await;

    let event = alice_events
        .next("station_report_overdue", WAIT)
        .await
        .expect("the overdue station");
    assert_eq!(event.id, station.id.to_string());
    let event = alice_events
        .next("case_overdue", WAIT)
        .await
        .expect("the overdue case");
    assert_eq!(event.id, case.id.to_string());
    assert!(bob_events
        .next("station_report_overdue", Duration::from_millis(500))
        .await
        .is_none());
}

#[tokio::test]
async fn an_idle_stream_hears_the_heartbeat() {
    let world = World::new().await;
    let mut own = settings();
    own.stream.heartbeat_secs = 1;
    let app = world.instance(own).await;
    let alice = world.regulator("alice");
    let mut response = world
        .client
        .get(format!("{}/v1/stream", app.address))
        .bearer_auth(&alice)
        .send()
        .await
        .expect("stream opens");
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("text/event-stream")
    );
    let heard = tokio::time::timeout(Duration::from_secs(5), async {
        let mut text = String::new();
        while let Some(chunk) = response.chunk().await.expect("reads") {
            text.push_str(&String::from_utf8_lossy(&chunk));
            // A comment line: a colon first.
            if text
                .lines()
                .any(|l| l.starts_with(':') && l.contains("heartbeat"))
            {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(heard, Ok(true), "a heartbeat comment within 5 s");
}

/// The stream is answered outside hyper (`prism_platform::http::lean`); on the wire it must
/// still be plain HTTP/1.1: the router's refusals with their problem body, a chunked event
/// stream that says it closes, and every other request on the same port served as before.
#[tokio::test]
async fn the_lean_stream_speaks_plain_http_and_leaves_other_requests_to_the_server() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let world = World::new().await;
    let mut own = settings();
    own.stream.heartbeat_secs = 1;
    let app = world.instance(own).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let exchange = |head: String| {
        let address = address.clone();
        async move {
            let mut socket = tokio::net::TcpStream::connect(&address)
                .await
                .expect("connects");
            socket.write_all(head.as_bytes()).await.expect("writes");
            let mut seen = Vec::new();
            let mut buffer = [0_u8; 4096];
            // Until the connection closes, or a heartbeat has come through the stream.
            let _ = tokio::time::timeout(Duration::from_secs(3), async {
                while let Ok(n) = socket.read(&mut buffer).await {
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buffer[..n]);
                    if String::from_utf8_lossy(&seen).contains("heartbeat") {
                        break;
                    }
                }
            })
            .await;
            String::from_utf8_lossy(&seen).into_owned()
        }
    };

    let anonymous = exchange("GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n".to_owned()).await;
    assert!(anonymous.starts_with("HTTP/1.1 401 "), "{anonymous}");
    assert!(
        anonymous.contains("content-type: application/problem+json"),
        "{anonymous}"
    );
    assert!(anonymous.contains("x-request-id: "), "{anonymous}");

    let station = world.keys.token("station-1", &["station"]);
    let refused = exchange(format!(
        "GET /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {station}\r\n\r\n"
    ))
    .await;
    assert!(refused.starts_with("HTTP/1.1 403 "), "{refused}");

    let alice = world.regulator("alice");
    let stream = exchange(format!(
        "GET /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {alice}\r\nAccept: text/event-stream\r\n\r\n"
    ))
    .await;
    assert!(stream.starts_with("HTTP/1.1 200 OK\r\n"), "{stream}");
    assert!(
        stream.contains("content-type: text/event-stream"),
        "{stream}"
    );
    assert!(stream.contains("transfer-encoding: chunked"), "{stream}");
    assert!(stream.contains("connection: close"), "{stream}");
    assert!(
        stream.contains("heartbeat"),
        "a heartbeat chunk within 3 s: {stream}"
    );
    // The body is chunked: a hex size line, then that many bytes of event text.
    let (_, body) = stream.split_once("\r\n\r\n").expect("a head and a body");
    let (size, rest) = body.split_once("\r\n").expect("a chunk size line");
    let size = usize::from_str_radix(size, 16).expect("a hex chunk size");
    assert!(
        rest.len() >= size && rest[..size].contains("heartbeat"),
        "{body:?}"
    );

    // Two requests on one kept-alive connection, one of them the stream path with another
    // method: both are the server's, answered in order.
    let kept = exchange(format!(
        "GET /v1/subscriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {alice}\r\n\r\n\
         POST /v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {alice}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ))
    .await;
    assert!(kept.starts_with("HTTP/1.1 200 OK\r\n"), "{kept}");
    assert!(kept.contains("HTTP/1.1 405 "), "{kept}");
}

/// The fan-out threads run under `SCHED_FIFO` wherever a thread of this process may, so a
/// busy machine does not hold up an alert halfway through its subscribers.
#[tokio::test]
async fn the_fan_out_threads_are_urgent() {
    use prism_test_support::threads;
    let world = World::new().await;
    let _app = world.instance(settings()).await;
    let may = std::thread::spawn(prism_runtime::priority::urgent::make_this_thread_urgent)
        .join()
        .expect("probe thread");
    let fan_outs = threads::wait_until_running_first("fanout-", WAIT).await;
    assert!(!fan_outs.is_empty(), "the fan-out threads are running");
    if !may {
        eprintln!("SCHED_FIFO is refused here: the fan-out threads run under the normal policy");
    }
    for thread in fan_outs {
        assert_eq!(
            thread.policy == threads::SCHED_FIFO,
            may,
            "{} runs urgent exactly when it may",
            thread.name
        );
    }
}
