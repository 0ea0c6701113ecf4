//! Escalated signals on NATS open cases, once per signal.

use chrono::{DateTime, SubsecRound as _, Utc};
use prism_contracts::{events::assessment::CaseOpened, subjects::v1, Envelope};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{alert, escalated, settings, spawn_app};

#[tokio::test]
async fn an_escalated_signal_opens_one_case_however_often_it_is_escalated() {
    let app = spawn_app(settings()).await;
    let at = Utc::now().trunc_subsecs(6);
    let signal_id = Uuid::now_v7();
    let envelope = Envelope::new("triage", escalated(signal_id, true, at));
    app.publish(&envelope, "first").await;
    app.publish(&envelope, "again").await;
    // Escalated a second time (a new event about the same signal): still one case.
    let last = app
        .publish(&Envelope::new("triage", envelope.data.clone()), "second")
        .await;
    app.handled_up_to("assessment-signals", last).await;

    let list = app.json("/v1/cases", &app.regulator()).await;
    let cases = list["items"].as_array().expect("items");
    assert_eq!(cases.len(), 1);
    let case = &cases[0];
    assert_eq!(case["signal_id"], signal_id.to_string());
    assert!(case["alert_id"].is_null());
    assert_eq!(
        case["report_ids"],
        json!(envelope.data.signal.report_ids),
        "the case keeps its own copy of the signal's reports"
    );
    assert_eq!(
        (case["category"].as_str(), case["initial_level"].as_str()),
        (Some("household_appliances"), Some("high"))
    );
    assert_eq!(case["opened_by"], "reg-9");
    let deadline: DateTime<Utc> =
        serde_json::from_value(case["deadline"].clone()).expect("an important signal's deadline");
    assert_eq!(deadline - at, chrono::Duration::hours(24));

    let opened: Envelope<CaseOpened> = app.last_event(v1::CASE_OPENED).await;
    assert_eq!(
        opened.data.case_id.to_string(),
        case["id"].as_str().expect("id")
    );
    assert_eq!(opened.causation_id, Some(envelope.id));
    assert_eq!(app.count_events(v1::CASE_OPENED).await, 1);
}

#[tokio::test]
async fn a_routine_signal_opens_a_case_without_a_deadline() {
    let app = spawn_app(settings()).await;
    let last = app
        .publish(
            &Envelope::new("triage", escalated(Uuid::now_v7(), false, Utc::now())),
            "routine",
        )
        .await;
    app.handled_up_to("assessment-signals", last).await;
    let list = app
        .json("/v1/cases?district=310104", &app.regulator())
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert!(list["items"][0]["deadline"].is_null());
}

#[tokio::test]
async fn an_important_reports_alert_and_its_signal_make_one_case_in_either_order() {
    let app = spawn_app(settings()).await;
    for alert_first in [true, false] {
        let at = Utc::now().trunc_subsecs(6);
        let raised = alert(at);
        let mut signal = escalated(Uuid::now_v7(), true, at);
        // The signal holds the important report and another one from Xuhui.
        signal.signal.report_ids = vec![raised.report_id, Uuid::now_v7()];
        let (alert_event, signal_event) = (
            Envelope::new("triage", raised.clone()),
            Envelope::new("triage", signal.clone()),
        );
        let (a, s) = if alert_first {
            let a = app.publish(&alert_event, &alert_event.id.to_string()).await;
            app.alerts_handled_up_to(a).await;
            (
                a,
                app.publish(&signal_event, &signal_event.id.to_string())
                    .await,
            )
        } else {
            let s = app
                .publish(&signal_event, &signal_event.id.to_string())
                .await;
            app.handled_up_to("assessment-signals", s).await;
            (
                app.publish(&alert_event, &alert_event.id.to_string()).await,
                s,
            )
        };
        app.alerts_handled_up_to(a).await;
        app.handled_up_to("assessment-signals", s).await;

        let list = app.json("/v1/cases", &app.regulator()).await;
        let items = list["items"].as_array().cloned().unwrap_or_default();
        let theirs: Vec<_> = items
            .iter()
            .filter(|c| {
                c["signal_id"] == signal.signal.signal_id.to_string()
                    || c["alert_id"] == raised.alert_id.to_string()
            })
            .collect();
        assert_eq!(theirs.len(), 1, "alert first: {alert_first}: {items:?}");
        let case = theirs[0];
        assert_eq!(case["alert_id"], raised.alert_id.to_string());
        assert_eq!(case["signal_id"], signal.signal.signal_id.to_string());
        assert_eq!(case["report_ids"].as_array().map(Vec::len), Some(2));
        let mut districts: Vec<String> =
            serde_json::from_value(case["districts"].clone()).expect("districts");
        districts.sort();
        assert_eq!(districts, ["310104", "310115"], "both districts see it");
        assert!(case["stations"]
            .as_array()
            .is_some_and(|s| s.contains(&json!("SH-TI-001"))));
    }
    assert_eq!(
        app.count_events(v1::CASE_OPENED).await,
        2,
        "one case each round"
    );
}
