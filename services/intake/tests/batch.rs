//! `POST /v1/reports/batch`: a result per item; the valid subset stored in one go.

mod common;

use std::time::Duration;

use common::{report, spawn_app};
use prism_contracts::{subjects::v1, Lane};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn a_batch_keeps_the_valid_items_and_names_the_fields_of_the_others() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-B-001", &["310115"]).await;
    let reports = json!([
        report("routine"),
        {"kind": "routine", "product": "电热毯", "districts": ["999999"], "content": "过热"},
        {"kind": "routine", "colour": "red"},
        report("important"),
    ]);
    let response = app
        .client
        .post(app.url("/v1/reports/batch"))
        .bearer_auth(&key)
        .header("Accept-Language", "en")
        .json(&json!({"reports": reports}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["accepted"], 2);
    assert_eq!(body["rejected"], 2);
    let results = body["results"].as_array().expect("results");
    assert_eq!(results[0]["status"], "accepted");
    assert!(results[0]["id"].is_string());
    assert_eq!(results[1]["status"], "rejected");
    assert_eq!(results[1]["errors"][0]["field"], "districts[0]");
    assert!(results[1]["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("unknown district")));
    assert_eq!(results[2]["errors"][0]["field"], "colour");
    assert_eq!(results[3]["index"], 3);
    assert_eq!(results[3]["status"], "accepted");
    assert_eq!(app.report_count(&key).await, 2);
}

#[tokio::test]
async fn every_accepted_item_is_announced() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-B-002", &["310115"]).await;
    let reports: Vec<Value> = (0..25).map(|_| report("routine")).collect();
    let response = app
        .post("/v1/reports/batch", &key, json!({"reports": reports}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);

    let client = async_nats::connect(app.nats.url()).await.expect("nats");
    let js = async_nats::jetstream::new(client);
    prism_test_support::eventually("25 events", Duration::from_secs(10), || async {
        (announced(&js).await? == 25).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_batch_of_a_thousand_is_taken_and_one_more_is_refused() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-B-003", &["310115"]).await;
    let thousand: Vec<Value> = (0..1_000).map(|_| report("routine")).collect();
    let response = app
        .post("/v1/reports/batch", &key, json!({"reports": thousand}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["accepted"], 1_000);

    let too_many: Vec<Value> = (0..1_001).map(|_| report("routine")).collect();
    let response = app
        .post("/v1/reports/batch", &key, json!({"reports": too_many}))
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "reports");

    let empty = app
        .post("/v1/reports/batch", &key, json!({"reports": []}))
        .await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_batch_with_an_unknown_top_level_field_is_a_400_and_stores_nothing() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-B-004", &["310115"]).await;
    let response = app
        .post(
            "/v1/reports/batch",
            &key,
            json!({"reports": [report("routine")], "dry_run": true}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.report_count(&key).await, 0);
}

#[tokio::test]
async fn a_retried_batch_with_the_same_idempotency_key_returns_the_first_answer_and_stores_nothing_new(
) {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-B-005", &["310115"]).await;
    let body = json!({"reports": [report("routine"), {"kind": "routine"}, report("important")]});
    let send = || {
        app.client
            .post(app.url("/v1/reports/batch"))
            .bearer_auth(&key)
            .header("Idempotency-Key", "upload-2026-11-20")
            .json(&body)
            .send()
    };
    let first: Value = send().await.expect("first").json().await.expect("json");
    let second = send().await.expect("second");
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.expect("json");
    assert_eq!(first, second);
    assert_eq!(first["accepted"], 2);
    assert_eq!(app.report_count(&key).await, 2);

    // The same key for a different batch is refused.
    let response = app
        .client
        .post(app.url("/v1/reports/batch"))
        .bearer_auth(&key)
        .header("Idempotency-Key", "upload-2026-11-20")
        .json(&json!({"reports": [report("routine")]}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.report_count(&key).await, 2);
}

#[tokio::test]
async fn concurrent_single_reports_are_each_stored_and_announced_once() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-B-006", &["310115"]).await;
    let posts = (0..60).map(|i| {
        let kind = if i % 10 == 0 { "important" } else { "routine" };
        app.post("/v1/reports", &key, report(kind))
    });
    let responses = futures::future::join_all(posts).await;
    let mut ids = std::collections::HashSet::new();
    for response in responses {
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        ids.insert(body["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids.len(), 60);

    let client = async_nats::connect(app.nats.url()).await.expect("nats");
    let js = async_nats::jetstream::new(client);
    prism_test_support::eventually("60 events", Duration::from_secs(10), || async {
        (announced(&js).await? == 60).then_some(())
    })
    .await;
    let mut listed = 0;
    let mut cursor = String::new();
    loop {
        let page = app
            .get_json(&format!("/v1/reports?limit=100{cursor}"), &key)
            .await;
        listed += page["items"].as_array().map_or(0, Vec::len);
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(listed, 60);
}

/// Reports announced in either lane's stream.
async fn announced(js: &async_nats::jetstream::Context) -> Option<u64> {
    let mut total = 0;
    for lane in [Lane::Important, Lane::Routine] {
        let mut stream = js.get_stream(v1::reports_stream(lane).name).await.ok()?;
        total += stream.info().await.ok()?.state.messages;
    }
    Some(total)
}
