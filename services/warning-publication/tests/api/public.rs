//! What the public, without logging in, can and cannot see.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{spawn_app, warning_body};

#[tokio::test]
async fn a_draft_is_invisible_to_the_public() {
    let app = spawn_app().await;
    let draft = app.draft(&app.regulator(), warning_body()).await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["version"], 0);
    let id = draft["id"].as_str().expect("id");

    assert_eq!(
        app.public(&format!("/v1/warnings/{id}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let list = app.json(app.public("/v1/warnings").await).await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(
        app.public(&format!("/v1/warnings/{}", Uuid::now_v7()))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_public_list_filters_and_pages_newest_first() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for (district, level, kind) in [
        ("310115", "high", "consumer_tip"),
        ("310104", "low", "recall"),
        ("310000", "serious", "recall"),
    ] {
        let mut body = warning_body();
        body["districts"] = json!([district]);
        body["level"] = json!(level);
        body["type"] = json!(kind);
        let draft = app.draft(&app.regulator(), body).await;
        let id = draft["id"].as_str().expect("id").to_owned();
        assert_eq!(
            app.approve(&id, &app.publisher()).await.status(),
            StatusCode::OK
        );
        ids.push(id);
    }
    let ids_of = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|w| w["id"].as_str().map(str::to_owned))
            .collect()
    };

    let first = app.json(app.public("/v1/warnings?limit=2").await).await;
    assert_eq!(
        ids_of(&first),
        vec![ids[2].clone(), ids[1].clone()],
        "newest publication first"
    );
    let cursor = first["next_cursor"].as_str().expect("a second page");
    let second = app
        .json(
            app.public(&format!("/v1/warnings?limit=2&cursor={cursor}"))
                .await,
        )
        .await;
    assert_eq!(ids_of(&second), vec![ids[0].clone()]);
    assert!(second["next_cursor"].is_null());

    let by_district = app
        .json(app.public("/v1/warnings?district=310104").await)
        .await;
    assert_eq!(ids_of(&by_district), vec![ids[1].clone()]);
    let by_type = app
        .json(app.public("/v1/warnings?type=recall&level=serious").await)
        .await;
    assert_eq!(ids_of(&by_type), vec![ids[2].clone()]);
    let by_category = app
        .json(app.public("/v1/warnings?category=children_products").await)
        .await;
    assert_eq!(ids_of(&by_category).len(), 3);
    let future = app
        .json(
            app.public("/v1/warnings?from=2999-01-01T00:00:00%2B08:00")
                .await,
        )
        .await;
    assert!(ids_of(&future).is_empty());
    let past = app
        .json(app.public("/v1/warnings?to=2000-01-01T00:00:00Z").await)
        .await;
    assert!(ids_of(&past).is_empty());

    for (query, status) in [
        ("level=extreme", 422),
        ("limit=101", 422),
        ("district=999999", 422),
        ("colour=red", 400),
    ] {
        let response = app.public(&format!("/v1/warnings?{query}")).await;
        assert_eq!(response.status().as_u16(), status, "{query}");
    }
}

#[tokio::test]
async fn operational_endpoints_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert_eq!(app.public(path).await.status(), StatusCode::OK, "{path}");
    }
    let spec = app.json(app.public("/openapi.json").await).await;
    for path in [
        "/v1/warnings",
        "/v1/warnings/{id}",
        "/v1/warnings/{id}/approve",
        "/v1/drafts",
        "/v1/warnings/{id}/update",
        "/v1/warnings/{id}/cancel",
        "/v1/warnings/{id}/versions",
        "/v1/warnings/{id}/cap",
        "/feeds/warnings.atom",
        "/feeds/cap.atom",
        "/v1/feedback",
    ] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
    assert!(
        spec["paths"]["/v1/warnings"]["get"].is_object()
            && spec["paths"]["/v1/warnings"]["post"].is_object()
    );
    assert!(spec["paths"]["/v1/warnings/{id}"]["put"].is_object());
}
