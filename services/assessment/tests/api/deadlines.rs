//! An important case not decided by its deadline raises `CaseOverdue` once.

use std::time::Duration;

use assessment::config::AssessmentSettings;
use chrono::{SubsecRound as _, Utc};
use prism_contracts::{events::assessment::CaseOverdue, subjects::v1, Envelope};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{alert, decision, settings, spawn_app};

#[tokio::test]
async fn an_undecided_important_case_past_its_deadline_is_overdue_once_across_instances() {
    // The first instance sweeps only at start (hourly after), before any case exists.
    let app = spawn_app(AssessmentSettings {
        overdue_check_secs: 3600,
        ..settings()
    })
    .await;
    // Its start-up sweep must be over before the cases exist: one that ran late (a busy
    // machine) marked the case decided below overdue before its decision.
    app.start_up_sweep_done().await;
    // Alerts raised 25 hours ago (a backlog): their 24-hour deadlines have passed.
    let decided = alert(Utc::now() - chrono::Duration::hours(25));
    // Cases keep times to the microsecond, as PostgreSQL does.
    let late = alert((Utc::now() - chrono::Duration::hours(25)).trunc_subsecs(6));
    let fresh = alert(Utc::now());
    app.publish(&Envelope::new("triage", decided.clone()), "decided")
        .await;
    app.publish(&Envelope::new("triage", late.clone()), "late")
        .await;
    let seq = app.publish(&Envelope::new("triage", fresh), "fresh").await;
    app.alerts_handled_up_to(seq).await;
    let list = app.json("/v1/cases", &app.regulator()).await;
    let id_of = |alert_id: uuid::Uuid| -> String {
        let items = list["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .find(|c| c["alert_id"] == alert_id.to_string())
            .and_then(|c| c["id"].as_str().map(str::to_owned))
            .expect("the alert's case")
    };
    let (decided_id, late_id) = (id_of(decided.alert_id), id_of(late.alert_id));
    let response = app
        .post(
            &format!("/v1/cases/{decided_id}/decisions"),
            &app.regulator(),
            decision("high"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // Two more instances sweep every second, on the same database.
    let _second = app.another_instance(settings()).await;
    let _third = app.another_instance(settings()).await;
    let event: Envelope<CaseOverdue> = app.last_event(v1::CASE_OVERDUE).await;
    assert_eq!(event.data.case_id.to_string(), late_id);
    assert_eq!(event.data.report_ids, [late.report_id]);
    assert_eq!(
        event.data.deadline,
        late.raised_at + chrono::Duration::hours(24)
    );
    assert_eq!(event.data.districts, ["310115"]);

    // Several sweeps of both instances later: still once, for the late case only.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.count_events(v1::CASE_OVERDUE).await, 1);
    let case = |id: String| {
        let app = &app;
        async move { app.json(&format!("/v1/cases/{id}"), &app.regulator()).await }
    };
    let late_case: Value = case(late_id).await;
    assert!(late_case["overdue_at"].is_string(), "{late_case}");
    assert_eq!(late_case["status"], "open");
    assert!(
        case(decided_id).await["overdue_at"].is_null(),
        "decided in time"
    );
}
