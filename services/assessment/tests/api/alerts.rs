//! Alerts on NATS open cases.

use assessment::config::AssessmentSettings;
use chrono::{DateTime, SubsecRound as _, Utc};
use prism_contracts::{events::assessment::CaseOpened, subjects::v1, Envelope};
use serde_json::json;

use crate::helpers::{alert, spawn_app};

#[tokio::test]
async fn an_alert_opens_exactly_one_case_even_when_delivered_twice() {
    let app = spawn_app(AssessmentSettings::default()).await;
    // Cases keep times to the microsecond, as PostgreSQL does.
    let raised_at = Utc::now().trunc_subsecs(6);
    let envelope = Envelope::new("triage", alert(raised_at));
    app.publish(&envelope, "first").await;
    app.publish(&envelope, "second").await;
    // The same alert announced again under a new event id must not open a second case.
    let last = app
        .publish(&Envelope::new("triage", envelope.data.clone()), "third")
        .await;
    app.alerts_handled_up_to(last).await;

    let list = app.json("/v1/cases", &app.regulator()).await;
    let cases = list["items"].as_array().expect("items");
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case["alert_id"], envelope.data.alert_id.to_string());
    assert_eq!(case["report_ids"], json!([envelope.data.report_id]));
    assert_eq!(
        (case["status"].as_str(), case["initial_level"].as_str()),
        (Some("open"), Some("serious"))
    );
    let deadline: DateTime<Utc> =
        serde_json::from_value(case["deadline"].clone()).expect("deadline");
    assert_eq!(deadline - raised_at, chrono::Duration::hours(24));

    let opened: Envelope<CaseOpened> = app.last_event(v1::CASE_OPENED).await;
    assert_eq!(
        opened.data.case_id.to_string(),
        case["id"].as_str().expect("id")
    );
    assert_eq!(opened.causation_id, Some(envelope.id));
    assert_eq!(opened.correlation_id, envelope.correlation_id);
}

#[tokio::test]
async fn an_alerts_deadline_follows_the_configured_hours() {
    let app = spawn_app(AssessmentSettings {
        important_case_hours: 2,
        ..AssessmentSettings::default()
    })
    .await;
    // Cases keep times to the microsecond, as PostgreSQL does.
    let raised_at = Utc::now().trunc_subsecs(6);
    let last = app
        .publish(&Envelope::new("triage", alert(raised_at)), "only")
        .await;
    app.alerts_handled_up_to(last).await;
    let list = app
        .json("/v1/cases?status=open&district=310115", &app.regulator())
        .await;
    let deadline: DateTime<Utc> =
        serde_json::from_value(list["items"][0]["deadline"].clone()).expect("deadline");
    assert_eq!(deadline - raised_at, chrono::Duration::hours(2));
}
