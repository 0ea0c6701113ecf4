//! Escalation: an important alert nobody acknowledged in time goes, once, to the contacts.

use std::time::Duration;

use prism_contracts::{events::notification::AlertEscalated, subjects::v1};
use serde_json::json;

use crate::{
    helpers::{alert, settings, World},
    smtp::SmtpServer,
};

fn escalating(port: u16) -> notification::config::NotificationSettings {
    let mut own = settings();
    own.email.smtp_port = port;
    own.escalation.after_secs = 1;
    own.escalation.contacts = vec!["duty@scjgj.sh.gov.cn".to_owned()];
    own
}

#[tokio::test]
async fn an_unacknowledged_alert_escalates_once_to_the_contacts() {
    let smtp = SmtpServer::start().await;
    let world = World::new().await;
    let app = world.instance(escalating(smtp.port)).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let raised = world.raise(alert()).await;
    let alert_id = raised.data.alert_id;

    let escalation = app
        .delivery_with_status(&world, alert_id, "email", "delivered")
        .await;
    assert_eq!(escalation["subscriber"], "duty@scjgj.sh.gov.cn");
    let alerts = app.json(&world, "/v1/alerts", &alice).await;
    assert!(alerts["items"][0]["escalated_at"].is_string());
    assert_eq!(
        alerts["items"][0]["escalated_to"],
        json!(["duty@scjgj.sh.gov.cn"])
    );

    // Later rounds find it escalated and leave it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["duty@scjgj.sh.gov.cn"]);
    let announced = world.announced::<AlertEscalated>(v1::ALERT_ESCALATED).await;
    assert_eq!(announced.len(), 1);
    assert_eq!(announced[0].data.alert_id, alert_id);
    assert_eq!(announced[0].data.contacts, ["duty@scjgj.sh.gov.cn"]);
}

#[tokio::test]
async fn an_acknowledged_alert_does_not_escalate() {
    let smtp = SmtpServer::start().await;
    let world = World::new().await;
    let mut own = escalating(smtp.port);
    own.escalation.after_secs = 2;
    let app = world.instance(own).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let raised = world.raise(alert()).await;
    let alert_id = raised.data.alert_id;
    app.delivery_with_status(&world, alert_id, "stream", "delivered")
        .await;
    let ack = app
        .post(
            &world,
            &format!("/v1/alerts/{alert_id}/ack"),
            &alice,
            json!({}),
        )
        .await;
    assert_eq!(ack.status(), reqwest::StatusCode::OK);
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(smtp.mails().is_empty());
    let alerts = app.json(&world, "/v1/alerts", &alice).await;
    assert!(alerts["items"][0]["escalated_at"].is_null());
}

/// Escalation with the clock held by the test: no real time passes. The instance allows an
/// hour, so its own rounds find nothing due; a round judged a minute before the hour is up
/// escalates nothing, one judged a minute after escalates the alert, and later rounds leave
/// it. The contact is mailed once and the escalation is recorded at the clock's time.
#[tokio::test]
async fn escalation_follows_the_clock_and_happens_once() {
    use chrono::{Duration as Span, Utc};
    use notification::delivery::escalation::Escalation;

    let smtp = SmtpServer::start().await;
    let world = World::new().await;
    let mut own = escalating(smtp.port);
    own.escalation.after_secs = 3600;
    let app = world.instance(own.clone()).await;
    let alice = world.regulator("alice");
    app.subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let raised = world.raise(alert()).await;
    let alert_id = raised.data.alert_id;
    app.delivery_with_status(&world, alert_id, "stream", "delivered")
        .await;
    let recorded = Utc::now();

    let escalation = Escalation {
        db: sea_orm::Database::connect(&world.database.url)
            .await
            .expect("database"),
        outbox: prism_messaging::Outbox::new(),
        settings: own.escalation.clone(),
        dispatch: std::sync::Arc::new(tokio::sync::Notify::new()),
    };
    let hour = Span::seconds(3600);
    let before = recorded + hour - Span::minutes(1);
    assert_eq!(escalation.escalate_due_at(before).await.expect("round"), 0);
    let due = recorded + hour + Span::minutes(1);
    assert_eq!(escalation.escalate_due_at(due).await.expect("round"), 1);
    let later = due + hour;
    assert_eq!(
        escalation.escalate_due_at(later).await.expect("round"),
        0,
        "once"
    );

    // The instance's delivery worker mails the contact.
    let mailed = app
        .delivery_with_status(&world, alert_id, "email", "delivered")
        .await;
    assert_eq!(mailed["subscriber"], "duty@scjgj.sh.gov.cn");
    let alerts = app.json(&world, "/v1/alerts", &alice).await;
    let escalated_at = alerts["items"][0]["escalated_at"]
        .as_str()
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .expect("escalated_at");
    assert!(
        (escalated_at.with_timezone(&Utc) - due)
            .num_milliseconds()
            .abs()
            < 1000,
        "recorded at the clock's time"
    );
    assert_eq!(smtp.mails().len(), 1);
}
