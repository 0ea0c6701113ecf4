//! Regulators draft, publishers approve, nobody approves their own draft.

use prism_contracts::subjects::v1;
use prism_test_support::TestKeys;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{decision, spawn_app, warning_body};

#[tokio::test]
async fn the_drafter_may_never_approve_their_own_draft() {
    let app = spawn_app().await;
    // One person with both roles still needs a second pair of eyes.
    let both = app.keys.token("reg-and-pub", &["regulator", "publisher"]);
    let draft = app.draft(&both, warning_body()).await;
    let id = draft["id"].as_str().expect("id");
    assert_eq!(app.approve(id, &both).await.status(), StatusCode::FORBIDDEN);

    // Whoever decided a case drafted its warning, and may not release it either.
    let envelope = decision(Uuid::now_v7(), true);
    app.publish_decision(&envelope, &envelope.id.to_string())
        .await;
    let from_decision = app.draft_of_case(envelope.data.case_id).await;
    let decider = app.keys.token("reg-decider", &["publisher"]);
    let id = from_decision["id"].as_str().expect("id");
    assert_eq!(
        app.approve(id, &decider).await.status(),
        StatusCode::FORBIDDEN
    );

    assert_eq!(app.drafts().await.len(), 2, "both are still drafts");
    assert_eq!(
        app.public(&format!("/v1/warnings/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn another_publishers_approval_publishes_the_warning_and_announces_it() {
    let app = spawn_app().await;
    let draft = app.draft(&app.regulator(), warning_body()).await;
    let id = draft["id"].as_str().expect("id");

    let response = app.approve(id, &app.publisher()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let published = app.json(response).await;
    assert_eq!(published["status"], "published");
    assert_eq!(published["version"], 1);
    assert_eq!(published["approved_by"], "pub-1");
    assert!(published["published_at"].is_string());

    let public = app
        .json(app.public(&format!("/v1/warnings/{id}")).await)
        .await;
    assert_eq!(public["title_zh"], "谨慎选购儿童电动滑板车");
    assert!(
        public.get("drafted_by").is_none(),
        "who wrote it inside is not public"
    );
    let list = app.json(app.public("/v1/warnings").await).await;
    assert_eq!(list["items"][0]["id"], id);
    assert!(app.drafts().await.is_empty());

    let event = app
        .last_event(v1::WARNING_PUBLICATION.name, v1::WARNING_PUBLISHED)
        .await;
    assert_eq!(event.event_type, "warning.published");
    assert_eq!(event.data["warning_id"], id);
    assert_eq!(event.data["version"], 1);
    assert_eq!(event.data["level"], "high");

    let again = app
        .approve(id, &app.keys.token("pub-2", &["publisher"]))
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert_eq!(app.json(again).await["code"], "not_a_draft");

    let db = sea_orm::Database::connect(&app.database.url)
        .await
        .expect("database");
    let trail = warning_publication::store::audit::of(&db, id.parse().expect("uuid"))
        .await
        .expect("audit");
    let actions: Vec<(&str, &str)> = trail
        .iter()
        .map(|a| (a.action.as_str(), a.actor.as_str()))
        .collect();
    assert_eq!(actions, vec![("drafted", "reg-1"), ("published", "pub-1")]);
}

#[tokio::test]
async fn every_write_checks_the_callers_role() {
    let app = spawn_app().await;
    let draft = app.draft(&app.regulator(), warning_body()).await;
    let approve_path = format!(
        "{}/v1/warnings/{}/approve",
        app.address,
        draft["id"].as_str().expect("id")
    );
    let expert = app.keys.token("exp-1", &["expert"]);

    // No credentials: 401.
    let anonymous = app
        .client
        .post(format!("{}/v1/warnings", app.address))
        .json(&warning_body())
        .send()
        .await;
    assert_eq!(
        anonymous.expect("request").status(),
        StatusCode::UNAUTHORIZED
    );
    let anonymous = app
        .client
        .post(&approve_path)
        .send()
        .await
        .expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.public("/v1/drafts").await.status(),
        StatusCode::UNAUTHORIZED
    );
    // A forged token is no better.
    let forged = TestKeys::new().token("pub-1", &["publisher"]);
    assert_eq!(
        app.approve(draft["id"].as_str().expect("id"), &forged)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );

    // Publishers and experts do not draft; regulators and experts do not approve.
    assert_eq!(
        app.post("/v1/warnings", &app.publisher(), warning_body())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/v1/warnings", &expert, warning_body())
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let id = draft["id"].as_str().expect("id");
    assert_eq!(
        app.approve(id, &app.keys.token("reg-2", &["regulator"]))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.approve(id, &expert).await.status(),
        StatusCode::FORBIDDEN
    );
    // Experts do not see drafts; publishers do.
    assert_eq!(
        app.get("/v1/drafts", &expert).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/drafts", &app.publisher()).await.status(),
        StatusCode::OK
    );
    // An unknown draft is 404 to a publisher.
    let unknown = app
        .approve(&Uuid::now_v7().to_string(), &app.publisher())
        .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_drafts_name_the_fields_in_the_callers_language_and_store_nothing() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/v1/warnings", app.address))
        .bearer_auth(app.regulator())
        .header("Accept-Language", "en")
        .json(&json!({"type": "rumour", "title_zh": "", "summary_zh": "s", "advice_zh": "a", "level": "extreme",
                      "districts": ["310115", "320000"]}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem = app.json(response).await;
    assert_eq!(problem["code"], "validation_failed");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["type", "title_zh", "level", "districts[1]"]);
    assert!(problem["errors"][3]["message"]
        .as_str()
        .is_some_and(|m| m.contains("unknown district")));

    let mut body = warning_body();
    body["colour"] = json!("red");
    let response = app.post("/v1/warnings", &app.regulator(), body).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem = app.json(response).await;
    assert_eq!(problem["errors"][0]["field"], "colour");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("未知字段")),
        "Chinese by default"
    );

    assert!(app.drafts().await.is_empty());
}
