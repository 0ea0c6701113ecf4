//! The walking skeleton: a report travels intake → triage → notification (a regulator's SSE
//! stream) and assessment; a decision becomes a warning draft, approval publishes it, and
//! the station's timeline shows every step. All through a real NATS server.

use std::time::Duration;

use prism_e2e::Stack;
use prism_test_support::eventually;
use reqwest::StatusCode;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn an_important_report_reaches_a_regulators_stream_and_ends_as_a_published_warning() {
    let stack = Stack::start().await.expect("stack starts");
    let regulator = stack.token("regulator-1", "regulator");
    let publisher = stack.token("publisher-1", "publisher");
    let (_, key) = stack.station("SH-EC-001", &["310115"]).await;

    let (status, _) = stack
        .post(
            "notification",
            "/v1/subscriptions",
            &regulator,
            json!({"channel": {"type": "stream"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut events = stack.stream(&regulator).await;

    let (status, accepted) = stack
        .post(
            "intake",
            "/v1/reports",
            &key,
            json!({"kind": "important", "product": "儿童电动滑板车", "districts": ["310115"],
                   "content": "充电时电池起火，3名儿童受伤", "hazards": ["fire", "injury"],
                   "casualties": {"deaths": 0, "injuries": 3}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{accepted}");
    let report_id = accepted["id"].as_str().expect("report id").to_owned();

    // The alert arrives on the regulator's stream, naming what INTERFACE.md promises.
    let alert = events
        .next("alert", WAIT)
        .await
        .expect("an alert on the stream");
    let data: Value = serde_json::from_str(&alert.data).expect("alert data is JSON");
    assert_eq!(data["report_id"], report_id.as_str());
    for field in [
        "alert_id",
        "product",
        "category",
        "districts",
        "hazards",
        "casualties",
        "station_id",
        "level",
        "received_at",
        "raised_at",
    ] {
        assert!(
            data.get(field).is_some(),
            "alert data lacks {field}: {data}"
        );
    }
    assert!(!alert.id.is_empty(), "each event has an id");

    // Assessment opened a case for the alert; a regulator decides to warn the public.
    let case_id = eventually("a case for the report", WAIT, || async {
        let (_, cases) = stack.get("assessment", "/v1/cases", Some(&regulator)).await;
        cases["items"].as_array()?.iter().find_map(|case| {
            let linked = case["report_ids"]
                .as_array()?
                .iter()
                .any(|id| id == report_id.as_str());
            linked
                .then(|| case["id"].as_str().map(str::to_owned))
                .flatten()
        })
    })
    .await;
    let (status, decision) = stack
        .post(
            "assessment",
            &format!("/v1/cases/{case_id}/decisions"),
            &regulator,
            json!({"risk_level": "serious", "measures": ["supervision_spot_check", "risk_warning"],
                   "warning": {"title_zh": "儿童电动滑板车电池起火风险警示",
                               "summary_zh": "部分儿童电动滑板车电池存在起火风险。",
                               "advice_zh": "请勿在无人看管时充电。"}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{decision}");

    // The decision became a draft, invisible to the public until a publisher approves it.
    let warning_id = eventually("a warning draft", WAIT, || async {
        let (_, drafts) = stack
            .get("warning-publication", "/v1/drafts", Some(&regulator))
            .await;
        let drafts = drafts.get("items").unwrap_or(&drafts).as_array()?.clone();
        drafts.iter().find_map(|d| {
            (d["case_id"] == case_id.as_str())
                .then(|| d["id"].as_str().map(str::to_owned))
                .flatten()
        })
    })
    .await;
    let (status, _) = stack
        .get(
            "warning-publication",
            &format!("/v1/warnings/{warning_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a draft is not public");
    let (status, body) = stack
        .post(
            "warning-publication",
            &format!("/v1/warnings/{warning_id}/approve"),
            &publisher,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = stack
        .get(
            "warning-publication",
            &format!("/v1/warnings/{warning_id}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a published warning is public");

    // The publication reaches the stream too.
    let warning = events
        .next("warning", WAIT)
        .await
        .expect("a warning on the stream");
    assert!(warning.data.contains(&warning_id));

    // The station sees what became of its report.
    eventually("every step on the timeline", WAIT, || async {
        let (_, steps) = stack
            .get(
                "intake",
                &format!("/v1/reports/{report_id}/timeline"),
                Some(&key),
            )
            .await;
        let names: Vec<&str> = steps
            .as_array()?
            .iter()
            .filter_map(|s| s["step"].as_str())
            .collect();
        let all = [
            "received",
            "classified",
            "alerted",
            "case_opened",
            "decided",
            "warning_published",
        ];
        all.iter().all(|step| names.contains(step)).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_regulator_reconnecting_with_last_event_id_gets_what_they_missed() {
    let stack = Stack::start().await.expect("stack starts");
    let regulator = stack.token("regulator-2", "regulator");
    let (_, key) = stack.station("SH-EC-002", &["310104"]).await;
    stack
        .post(
            "notification",
            "/v1/subscriptions",
            &regulator,
            json!({"channel": {"type": "stream"}}),
        )
        .await;
    let report = |text: &str| json!({"kind": "important", "product": "电热水器", "districts": ["310104"], "content": text});

    let mut events = stack.stream(&regulator).await;
    stack
        .post("intake", "/v1/reports", &key, report("漏电致人触电"))
        .await;
    let first = events.next("alert", WAIT).await.expect("first alert");
    drop(events);

    // While disconnected, another alert is raised.
    let (_, second) = stack
        .post("intake", "/v1/reports", &key, report("热水器爆炸"))
        .await;
    let second_report = second["id"].as_str().expect("id").to_owned();
    eventually("the second alert to be recorded", WAIT, || async {
        let (_, alerts) = stack
            .get("notification", "/v1/alerts", Some(&regulator))
            .await;
        (alerts["items"].as_array()?.len() == 2).then_some(())
    })
    .await;

    let response = stack
        .client
        .get(format!("{}/v1/stream", stack.url("notification")))
        .bearer_auth(&regulator)
        .header("Last-Event-ID", &first.id)
        .send()
        .await
        .expect("reconnects");
    let mut replay = prism_e2e::Events::from_response(response);
    let missed = replay
        .next("alert", WAIT)
        .await
        .expect("the missed alert is replayed");
    assert!(missed.data.contains(&second_report));
}
