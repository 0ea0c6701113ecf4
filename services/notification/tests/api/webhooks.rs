//! Webhooks: signed, retried with backoff, `Retry-After` honoured, failures visible, SSRF
//! refused, one dead target never slowing another, and pending deliveries kept across a
//! restart.

use std::time::{Duration, Instant};

use notification::{
    config::NotificationSettings,
    delivery::{webhook::Webhooks, Attempt},
};
use prism_contracts::{events::notification::AlertDelivered, subjects::v1};
use prism_test_support::eventually;
use serde_json::json;
use uuid::Uuid;

use crate::{
    helpers::{alert, settings, World},
    receiver::{Answer, Receiver},
};

const SECRET: &str = "a-webhook-secret-of-32-characters";

fn webhook(url: &str) -> serde_json::Value {
    json!({"channel": {"type": "webhook", "url": url, "secret": SECRET}})
}

#[tokio::test]
async fn a_webhook_is_signed_and_the_receiver_verifies_the_signature() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let receiver = Receiver::start(SECRET, vec![], Answer::Status(204)).await;
    app.subscribe(&world, &world.regulator("alice"), webhook(&receiver.url))
        .await;
    let raised = world.raise(alert()).await;
    let delivery = app
        .delivery_with_status(&world, raised.data.alert_id, "webhook", "delivered")
        .await;
    assert_eq!(delivery["attempts"], 1);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(
        received[0].signature_valid,
        "X-Prism-Signature matches the body"
    );
    assert_eq!(received[0].event_id, raised.data.alert_id.to_string());
    assert_eq!(received[0].body["event"], "alert");
    assert_eq!(received[0].body["data"]["product"], "儿童电动滑板车");

    let announced = eventually("AlertDelivered", Duration::from_secs(10), || async {
        let events = world.announced::<AlertDelivered>(v1::ALERT_DELIVERED).await;
        events
            .into_iter()
            .find(|e| e.data.alert_id == raised.data.alert_id && e.data.channel == "webhook")
    })
    .await;
    assert_eq!(announced.data.subscriber, "alice");
}

#[tokio::test]
async fn a_failing_target_is_retried_with_growing_delays_until_it_answers() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let script = vec![
        Answer::Status(500),
        Answer::Status(502),
        Answer::Status(503),
    ];
    let receiver = Receiver::start(SECRET, script, Answer::Status(200)).await;
    app.subscribe(&world, &world.regulator("alice"), webhook(&receiver.url))
        .await;
    let raised = world.raise(alert()).await;
    let delivery = app
        .delivery_with_status(&world, raised.data.alert_id, "webhook", "delivered")
        .await;
    assert_eq!(delivery["attempts"], 4);
    let at: Vec<Instant> = receiver.received().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 4);
    // Base 100 ms doubling, with jitter between half and all of it: ≥ 50, 100, 200 ms.
    for (i, floor_ms) in [50u64, 100, 200].into_iter().enumerate() {
        let waited = at[i + 1] - at[i];
        assert!(
            waited >= Duration::from_millis(floor_ms),
            "retry {i}: {waited:?}"
        );
    }
}

#[tokio::test]
async fn a_target_that_answers_429_is_retried_after_its_retry_after() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let script = vec![Answer::TooManyRequests {
        retry_after_secs: 2,
    }];
    let receiver = Receiver::start(SECRET, script, Answer::Status(200)).await;
    app.subscribe(&world, &world.regulator("alice"), webhook(&receiver.url))
        .await;
    let raised = world.raise(alert()).await;
    app.delivery_with_status(&world, raised.data.alert_id, "webhook", "delivered")
        .await;
    let at: Vec<Instant> = receiver.received().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 2);
    assert!(
        at[1] - at[0] >= Duration::from_secs(2),
        "{:?}",
        at[1] - at[0]
    );
}

#[tokio::test]
async fn after_the_last_attempt_the_delivery_is_failed_and_says_why() {
    let world = World::new().await;
    let mut own = settings();
    own.webhooks.max_attempts = 3;
    let app = world.instance(own).await;
    let receiver = Receiver::start(SECRET, vec![], Answer::Status(500)).await;
    app.subscribe(&world, &world.regulator("alice"), webhook(&receiver.url))
        .await;
    let raised = world.raise(alert()).await;
    let failed = app
        .delivery_with_status(&world, raised.data.alert_id, "webhook", "failed")
        .await;
    assert_eq!(failed["attempts"], 3);
    assert!(
        failed["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("500")),
        "{failed}"
    );
    assert_eq!(receiver.received().len(), 3);
}

#[tokio::test]
async fn a_dead_target_opens_its_breaker_and_never_slows_delivery_to_others() {
    let world = World::new().await;
    let mut own = settings();
    own.webhooks.breaker_threshold = 1;
    own.webhooks.breaker_cooldown_secs = 60;
    let app = world.instance(own).await;
    let slow = Receiver::start(SECRET, vec![], Answer::Slow(Duration::from_secs(10))).await;
    let live = Receiver::start(SECRET, vec![], Answer::Status(200)).await;
    app.subscribe(&world, &world.regulator("alice"), webhook(&slow.url))
        .await;
    app.subscribe(&world, &world.regulator("bob"), webhook(&live.url))
        .await;

    let started = Instant::now();
    let first = world.raise(alert()).await;
    app.delivery_with_status(&world, first.data.alert_id, "webhook", "delivered")
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The slow target times out (3 s), its breaker opens, and the next alert is not even
    // tried there while the live target gets it at once.
    eventually(
        "the slow target to time out",
        Duration::from_secs(10),
        || async {
            let deliveries = app.deliveries(&world, first.data.alert_id).await;
            deliveries
                .iter()
                .find(|d| d["subscriber"] == "alice" && d["attempts"] == 1)
                .map(drop)
        },
    )
    .await;
    let second = world.raise(alert()).await;
    let started = Instant::now();
    eventually(
        "the live target to get the second alert",
        Duration::from_secs(5),
        || async {
            live.received()
                .iter()
                .any(|r| r.event_id == second.data.alert_id.to_string())
                .then_some(())
        },
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(2));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let tried = slow.received();
    assert!(
        tried
            .iter()
            .all(|r| r.event_id != second.data.alert_id.to_string()),
        "an open breaker leaves the dead target alone"
    );
}

#[tokio::test]
async fn names_and_addresses_that_resolve_to_private_targets_are_refused_at_delivery() {
    let webhooks = Webhooks::new(&NotificationSettings::default().webhooks).expect("client");
    let receiver = Receiver::start(SECRET, vec![], Answer::Status(200)).await;
    let port = receiver.url.rsplit(':').next().expect("port").to_owned();
    for url in [
        receiver.url.clone(),
        format!("http://localhost:{port}"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ] {
        let attempt = webhooks
            .post(&url, SECRET, Uuid::now_v7(), b"{}".to_vec())
            .await;
        assert!(
            matches!(attempt, Attempt::Permanent(_)),
            "{url}: {attempt:?}"
        );
    }
    assert!(
        receiver.received().is_empty(),
        "nothing reached the private target"
    );
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let mut own = NotificationSettings::default().webhooks;
    own.allow_private_targets = true;
    let webhooks = Webhooks::new(&own).expect("client");
    let receiver = Receiver::start(SECRET, vec![Answer::Status(307)], Answer::Status(200)).await;
    let attempt = webhooks
        .post(&receiver.url, SECRET, Uuid::now_v7(), b"{}".to_vec())
        .await;
    assert!(
        matches!(attempt, Attempt::Permanent(ref e) if e.contains("307")),
        "{attempt:?}"
    );
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn a_pending_delivery_survives_a_restart() {
    let world = World::new().await;
    let mut own = settings();
    own.webhooks.backoff_base_ms = 400;
    let app = world.instance(own.clone()).await;
    let receiver = Receiver::start(SECRET, vec![], Answer::Status(503)).await;
    app.subscribe(&world, &world.regulator("alice"), webhook(&receiver.url))
        .await;
    let raised = world.raise(alert()).await;
    eventually(
        "a first failed attempt",
        Duration::from_secs(10),
        || async { (!receiver.received().is_empty()).then_some(()) },
    )
    .await;
    app.stop().await;

    receiver.answer_from_now(Answer::Status(200));
    let restarted = world.instance(own).await;
    let delivery = restarted
        .delivery_with_status(&world, raised.data.alert_id, "webhook", "delivered")
        .await;
    assert!(delivery["attempts"].as_i64() >= Some(2), "{delivery}");
}
