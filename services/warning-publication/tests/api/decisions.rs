//! Assessment's decisions become drafts, once each, and only when they ask for a warning.

use prism_contracts::subjects::v1;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{decision, spawn_app};

#[tokio::test]
async fn a_decision_asking_for_a_warning_becomes_exactly_one_draft_even_when_delivered_twice() {
    let app = spawn_app().await;
    let envelope = decision(Uuid::now_v7(), true);
    // Two different message ids get past JetStream's own dedup: the inbox must catch it.
    app.publish_decision(&envelope, "first-try").await;
    app.publish_decision(&envelope, "second-try").await;
    let sentinel = decision(Uuid::now_v7(), true);
    app.publish_decision(&sentinel, &sentinel.id.to_string())
        .await;
    // Decisions are applied in order, so once the later one is drafted both copies were seen.
    app.draft_of_case(sentinel.data.case_id).await;

    let case_id = envelope.data.case_id.to_string();
    let drafts: Vec<Value> = app
        .drafts()
        .await
        .into_iter()
        .filter(|d| d["case_id"] == case_id)
        .collect();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    let draft = &drafts[0];
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["type"], "risk_warning");
    assert_eq!(draft["level"], "serious");
    assert_eq!(draft["category"], "children_products");
    assert_eq!(draft["districts"], json!(["310115", "310104"]));
    assert_eq!(draft["drafted_by"], "reg-decider");
    assert_eq!(draft["title_zh"], "儿童电动滑板车起火风险警示");
    assert_eq!(draft["report_ids"], json!(envelope.data.report_ids));

    let drafted = app
        .last_event(v1::WARNING_PUBLICATION.name, v1::WARNING_DRAFTED)
        .await;
    assert_eq!(drafted.event_type, "warning.drafted");
    assert_eq!(drafted.causation_id, Some(sentinel.id));
    assert_eq!(drafted.correlation_id, sentinel.correlation_id);
}

#[tokio::test]
async fn a_decision_without_a_warning_drafts_nothing() {
    let app = spawn_app().await;
    let quiet = decision(Uuid::now_v7(), false);
    app.publish_decision(&quiet, &quiet.id.to_string()).await;
    let sentinel = decision(Uuid::now_v7(), true);
    app.publish_decision(&sentinel, &sentinel.id.to_string())
        .await;
    app.draft_of_case(sentinel.data.case_id).await;

    let drafts = app.drafts().await;
    assert_eq!(drafts.len(), 1, "only the sentinel's draft: {drafts:?}");
}
