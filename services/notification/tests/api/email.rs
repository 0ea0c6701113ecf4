//! Email through a real SMTP server on loopback; routine types in a digest, alerts at once.

use std::time::Duration;

use prism_contracts::{events::warning::WarningPublished, Envelope, RiskLevel};
use prism_test_support::eventually;
use serde_json::json;
use uuid::Uuid;

use crate::{
    helpers::{alert, settings, World},
    smtp::SmtpServer,
};

fn with_smtp(port: u16) -> notification::config::NotificationSettings {
    let mut own = settings();
    own.email.smtp_port = port;
    own.email.from = "PRISM <alerts@prism.example.cn>".to_owned();
    own
}

fn warning() -> WarningPublished {
    WarningPublished {
        warning_id: Uuid::now_v7(),
        version: 1,
        case_id: None,
        report_ids: vec![Uuid::now_v7()],
        warning_type: "risk_warning".to_owned(),
        title_zh: "关于儿童电动滑板车的消费警示".to_owned(),
        title_en: None,
        level: RiskLevel::High,
        category: Some("children_products".to_owned()),
        districts: vec!["310115".to_owned()],
        published_at: chrono::Utc::now(),
    }
}

#[tokio::test]
async fn an_alert_reaches_an_email_subscriber_through_smtp() {
    let smtp = SmtpServer::start().await;
    let world = World::new().await;
    let app = world.instance(with_smtp(smtp.port)).await;
    app.subscribe(
        &world,
        &world.regulator("alice"),
        json!({"channel": {"type": "email", "address": "alice@scjgj.sh.gov.cn"}}),
    )
    .await;
    let raised = world.raise(alert()).await;
    let delivery = app
        .delivery_with_status(&world, raised.data.alert_id, "email", "delivered")
        .await;
    assert_eq!(delivery["attempts"], 1);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["alice@scjgj.sh.gov.cn"]);
    assert!(mails[0].from.contains("alerts@prism.example.cn"));
    assert!(
        mails[0].data.contains(&raised.data.alert_id.to_string()),
        "{}",
        mails[0].data
    );
    assert!(mails[0].data.contains("Subject:"));
}

#[tokio::test]
async fn routine_events_wait_for_the_digest_but_alerts_never_do() {
    let smtp = SmtpServer::start().await;
    let world = World::new().await;
    let mut own = with_smtp(smtp.port);
    own.email.digest_interval_secs = 3;
    let app = world.instance(own).await;
    app.subscribe(
        &world,
        &world.regulator("alice"),
        json!({"channel": {"type": "email", "address": "alice@scjgj.sh.gov.cn", "digest": true}}),
    )
    .await;
    let published = Envelope::new("warning-publication", warning());
    world.publish(&published, &published.id.to_string()).await;
    let raised = world.raise(alert()).await;

    let alert_mail = eventually("the alert email", Duration::from_secs(3), || async {
        smtp.mails()
            .into_iter()
            .find(|m| m.data.contains(&raised.data.alert_id.to_string()))
    })
    .await;
    assert!(!alert_mail.data.contains(&published.id.to_string()));
    let digest = eventually("the digest", Duration::from_secs(10), || async {
        smtp.mails()
            .into_iter()
            .find(|m| m.data.contains(&published.id.to_string()))
    })
    .await;
    assert!(!digest.data.contains(&raised.data.alert_id.to_string()));
    assert_eq!(smtp.mails().len(), 2);
}
