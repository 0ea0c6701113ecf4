//! Delivery records: one per (alert, subscriber, channel), however often the alert comes;
//! acknowledgements announced.

use std::time::Duration;

use prism_contracts::{
    events::notification::{AlertAcknowledged, AlertDelivered},
    subjects::v1,
    Envelope,
};
use prism_test_support::eventually;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    helpers::{alert, settings, World},
    receiver::{Answer, Receiver},
};

#[tokio::test]
async fn a_redelivered_or_reannounced_alert_is_recorded_and_delivered_once() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let secret = "a-webhook-secret-of-32-characters";
    let receiver = Receiver::start(secret, vec![], Answer::Status(200)).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    app.subscribe(
        &world,
        &alice,
        json!({"channel": {"type": "webhook", "url": receiver.url, "secret": secret}}),
    )
    .await;
    let envelope = Envelope::new("triage", alert());
    world.publish(&envelope, "first").await;
    world.publish(&envelope, "second").await;
    // The same alert announced again under a new event id (a relay replay).
    let last = world
        .publish(&Envelope::new("triage", envelope.data.clone()), "third")
        .await;
    world
        .handled_up_to(v1::TRIAGE_ALERTS.name, "notification-alerts", last)
        .await;
    let alert_id = envelope.data.alert_id;
    app.delivery_with_status(&world, alert_id, "webhook", "delivered")
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let deliveries = app.deliveries(&world, alert_id).await;
    let channels: Vec<&str> = deliveries
        .iter()
        .filter_map(|d| d["channel"].as_str())
        .collect();
    assert_eq!(channels, ["stream", "webhook"]);
    assert_eq!(receiver.received().len(), 1);
    let alerts = app.json(&world, "/v1/alerts", &alice).await;
    assert_eq!(alerts["items"].as_array().map(Vec::len), Some(1));
    let delivered = world.announced::<AlertDelivered>(v1::ALERT_DELIVERED).await;
    assert_eq!(delivered.len(), 2, "one AlertDelivered per channel");
}

#[tokio::test]
async fn the_first_acknowledgement_stands_and_is_announced() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let raised = world.raise(alert()).await;
    let alert_id = raised.data.alert_id;
    app.delivery_with_status(&world, alert_id, "stream", "delivered")
        .await;
    let path = format!("/v1/alerts/{alert_id}/ack");
    let first = app.post(&world, &path, &alice, json!({})).await;
    assert_eq!(first.status(), StatusCode::OK);
    let again = app
        .post(&world, &path, &world.regulator("bob"), json!({}))
        .await;
    let view: Value = again.json().await.expect("json");
    assert_eq!(view["acknowledged_by"], "alice");

    let acknowledged = eventually("AlertAcknowledged", Duration::from_secs(10), || async {
        let events = world
            .announced::<AlertAcknowledged>(v1::ALERT_ACKNOWLEDGED)
            .await;
        (!events.is_empty()).then_some(events)
    })
    .await;
    assert_eq!(acknowledged.len(), 1);
    assert_eq!(acknowledged[0].data.alert_id, alert_id);
    assert_eq!(acknowledged[0].data.report_id, raised.data.report_id);

    let unknown = app
        .post(
            &world,
            &format!("/v1/alerts/{}/ack", uuid::Uuid::now_v7()),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}
