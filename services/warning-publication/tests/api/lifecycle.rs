//! After drafting: editing drafts, updates as new versions, cancellation; every change
//! audited and announced.

use prism_contracts::subjects::v1;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, warning_body};

fn pair(action: &str, actor: &str) -> (String, String) {
    (action.to_owned(), actor.to_owned())
}

#[tokio::test]
async fn a_draft_is_edited_until_published_and_its_editor_may_not_approve_it() {
    let app = spawn_app().await;
    let draft = app.draft(&app.regulator(), warning_body()).await;
    let id = draft["id"].as_str().expect("id");

    let editor = app.keys.token("reg-2", &["regulator", "publisher"]);
    let mut body = warning_body();
    body["title_zh"] = json!("谨慎选购儿童电动滑板车（修订）");
    body["type"] = json!("recall");
    body["title_en"] = Value::Null;
    body["effective_at"] = json!("2026-12-01T00:00:00+08:00");
    body["expires_at"] = json!("2027-06-01T00:00:00+08:00");
    let response = app.put(&format!("/v1/warnings/{id}"), &editor, body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let edited = app.json(response).await;
    assert_eq!(edited["title_zh"], "谨慎选购儿童电动滑板车（修订）");
    assert_eq!(edited["type"], "recall");
    assert!(edited["title_en"].is_null(), "English is optional");
    assert_eq!(edited["effective_at"], "2026-11-30T16:00:00Z");
    assert_eq!(edited["status"], "draft");

    // Whoever wrote part of the text is not the second pair of eyes.
    assert_eq!(
        app.approve(id, &editor).await.status(),
        StatusCode::FORBIDDEN
    );
    let mut bad = warning_body();
    bad["expires_at"] = json!("2020-01-01T00:00:00Z");
    bad["effective_at"] = json!("2021-01-01T00:00:00Z");
    let response = app
        .put(&format!("/v1/warnings/{id}"), &app.regulator(), bad)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.json(response).await["errors"][0]["field"], "expires_at");

    assert_eq!(
        app.approve(id, &app.publisher()).await.status(),
        StatusCode::OK
    );
    let public = app
        .json(app.public(&format!("/v1/warnings/{id}")).await)
        .await;
    assert_eq!(public["title_zh"], "谨慎选购儿童电动滑板车（修订）");
    assert_eq!(public["expires_at"], "2027-05-31T16:00:00Z");

    let late = app
        .put(
            &format!("/v1/warnings/{id}"),
            &app.regulator(),
            warning_body(),
        )
        .await;
    assert_eq!(late.status(), StatusCode::CONFLICT);
    assert_eq!(
        app.trail(id).await,
        vec![
            pair("drafted", "reg-1"),
            pair("edited", "reg-2"),
            pair("published", "pub-1")
        ]
    );
}

#[tokio::test]
async fn an_update_becomes_the_next_version_only_when_another_publisher_approves_it() {
    let app = spawn_app().await;
    let id = app.publish(warning_body()).await;
    let path = format!("/v1/warnings/{id}/update");
    let mut new = warning_body();
    new["title_zh"] = json!("儿童电动滑板车召回扩大");
    new["level"] = json!("serious");

    assert_eq!(
        app.post(&path, &app.regulator(), json!({"warning": new}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an update needs a reason"
    );
    let proposed = app
        .post(
            &path,
            &app.regulator(),
            json!({"warning": new, "reason": "新增两个批次"}),
        )
        .await;
    assert_eq!(proposed.status(), StatusCode::ACCEPTED);
    // Until approved, the public sees version 1.
    let public = app
        .json(app.public(&format!("/v1/warnings/{id}")).await)
        .await;
    assert_eq!(
        (public["version"].clone(), public["changed"].clone()),
        (json!(1), json!(false))
    );

    let proposer_as_publisher = app.keys.token("reg-1", &["publisher"]);
    assert_eq!(
        app.approve(&id, &proposer_as_publisher).await.status(),
        StatusCode::FORBIDDEN
    );
    let approved = app
        .approve(&id, &app.keys.token("pub-2", &["publisher"]))
        .await;
    assert_eq!(approved.status(), StatusCode::OK);

    let public = app
        .json(app.public(&format!("/v1/warnings/{id}")).await)
        .await;
    assert_eq!(public["version"], 2);
    assert_eq!(public["changed"], true);
    assert_eq!(public["change_note"], "新增两个批次");
    assert_eq!(public["title_zh"], "儿童电动滑板车召回扩大");
    assert_eq!(public["level"], "serious");
    let history = app
        .json(app.public(&format!("/v1/warnings/{id}/versions")).await)
        .await;
    let titles: Vec<&str> = history
        .as_array()
        .expect("versions")
        .iter()
        .filter_map(|v| v["content"]["title_zh"].as_str())
        .collect();
    assert_eq!(
        titles,
        vec!["谨慎选购儿童电动滑板车", "儿童电动滑板车召回扩大"]
    );
    assert_eq!(history[1]["reason"], "新增两个批次");

    let event = app
        .last_event(v1::WARNING_PUBLICATION.name, v1::WARNING_UPDATED)
        .await;
    assert_eq!(event.event_type, "warning.updated");
    assert_eq!(event.data["warning"]["version"], 2);
    assert_eq!(event.data["previous_version"], 1);
    assert_eq!(event.data["updated_by"], "pub-2");
    // Nothing left to approve.
    assert_eq!(
        app.approve(&id, &app.publisher()).await.status(),
        StatusCode::CONFLICT
    );
    // A draft is edited, not updated.
    let draft = app.draft(&app.regulator(), warning_body()).await;
    let response = app
        .post(
            &format!("/v1/warnings/{}/update", draft["id"].as_str().expect("id")),
            &app.regulator(),
            json!({"warning": warning_body(), "reason": "x"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        app.trail(&id).await,
        vec![
            pair("drafted", "reg-1"),
            pair("published", "pub-1"),
            pair("update_proposed", "reg-1"),
            pair("updated", "pub-2")
        ]
    );
}

#[tokio::test]
async fn a_withdrawn_warning_tells_the_public_why_and_a_withdrawn_draft_stays_hidden() {
    let app = spawn_app().await;
    let id = app.publish(warning_body()).await;
    let cancel = format!("/v1/warnings/{id}/cancel");

    // A regulator alone does not withdraw what the public already saw; a publisher does.
    assert_eq!(
        app.post(&cancel, &app.regulator(), json!({"reason": "误报"}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(&cancel, &app.publisher(), json!({}))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let response = app
        .post(
            &cancel,
            &app.publisher(),
            json!({"reason": "经复检产品合格，撤销警示"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let public = app
        .json(app.public(&format!("/v1/warnings/{id}")).await)
        .await;
    assert_eq!(public["status"], "cancelled");
    assert_eq!(public["changed"], true);
    assert_eq!(public["cancel_reason"], "经复检产品合格，撤销警示");
    let list = app.json(app.public("/v1/warnings").await).await;
    assert_eq!(list["items"], json!([]), "the list shows current warnings");
    let event = app
        .last_event(v1::WARNING_PUBLICATION.name, v1::WARNING_CANCELLED)
        .await;
    assert_eq!(event.data["warning_id"], id.as_str());
    assert_eq!(event.data["was_published"], true);
    let again = app
        .post(&cancel, &app.publisher(), json!({"reason": "x"}))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);

    let draft = app.draft(&app.regulator(), warning_body()).await;
    let draft_id = draft["id"].as_str().expect("id");
    let response = app
        .post(
            &format!("/v1/warnings/{draft_id}/cancel"),
            &app.regulator(),
            json!({"reason": "重复草稿"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        app.public(&format!("/v1/warnings/{draft_id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "cancelled before publication: never public"
    );
    assert_eq!(
        app.approve(draft_id, &app.publisher()).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.trail(draft_id).await,
        vec![pair("drafted", "reg-1"), pair("cancelled", "reg-1")]
    );
}
