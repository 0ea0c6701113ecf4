//! The catalogue as versioned data.

use prism_contracts::subjects::v1;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::{report, spawn_app};

fn with_category(mut catalogue: Value, code: &str, keyword: &str) -> Value {
    let categories = catalogue["categories"].as_array_mut().expect("categories");
    categories.push(
        json!({"code": code, "name_zh": "电子烟", "name_en": "E-cigarettes",
                           "keywords": [keyword], "synonyms": ["vape"]}),
    );
    json!({"categories": categories})
}

#[tokio::test]
async fn an_admin_replaces_the_catalogue_and_new_reports_use_the_new_version() {
    let app = spawn_app().await;
    let before = app.json("/v1/catalog", &app.admin()).await;
    assert_eq!(before["version"], 1);

    let body = with_category(before.clone(), "e_cigarettes", "电子烟");
    let response = app
        .send(Method::PUT, "/v1/catalog", &app.admin(), body)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let stored: Value = response.json().await.expect("json");
    assert_eq!(stored["version"], 2);
    assert_eq!(
        app.json("/v1/catalog", &app.regulator()).await["version"],
        2
    );
    assert_eq!(
        app.json("/v1/catalog?version=1", &app.admin()).await,
        before
    );

    let id = app
        .publish(report("某品牌一次性电子烟", "电池过热", &["310115"]))
        .await;
    let classified = app.classified(id).await;
    assert_eq!(classified["category"], "e_cigarettes");
    assert_eq!(classified["catalogue_version"], 2);

    let announced = app.announced(v1::CATALOGUE_UPDATED).await;
    assert_eq!(announced.len(), 1);
    assert_eq!(announced[0]["data"]["version"], 2);
    assert_eq!(announced[0]["data"]["updated_by"], "admin-1");
}

#[tokio::test]
async fn a_malformed_catalogue_is_refused_naming_the_fields() {
    let app = spawn_app().await;
    let catalogue = app.json("/v1/catalog", &app.admin()).await;
    let mut body = with_category(catalogue, "Bad Code", "儿童");
    body["categories"][0]["name_en"] = json!("");
    let response = app
        .send(Method::PUT, "/v1/catalog", &app.admin(), body)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&"categories[0].name_en"), "{fields:?}");
    assert!(fields.iter().any(|f| f.ends_with(".code")), "{fields:?}");
    assert!(
        fields.iter().any(|f| f.contains(".keywords[0]")),
        "{fields:?}"
    );

    let response = app
        .send(
            Method::PUT,
            "/v1/catalog",
            &app.admin(),
            json!({"categories": [], "extra": 1}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.json("/v1/catalog", &app.admin()).await["version"], 1);
}

#[tokio::test]
async fn a_catalogue_that_would_orphan_classifications_is_refused() {
    let app = spawn_app().await;
    let id = app
        .publish(report("儿童电动滑板车", "刹车失灵", &["310115"]))
        .await;
    assert_eq!(app.classified(id).await["category"], "children_products");

    let mut catalogue = app.json("/v1/catalog", &app.admin()).await;
    let categories = catalogue["categories"].as_array_mut().expect("categories");
    categories.retain(|c| c["code"] != "children_products");
    let body = json!({"categories": categories});
    let response = app
        .send(Method::PUT, "/v1/catalog", &app.admin(), body)
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "catalogue_orphans");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("children_products"), "{detail}");
    assert_eq!(app.json("/v1/catalog", &app.admin()).await["version"], 1);
}

#[tokio::test]
async fn only_an_admin_may_replace_the_catalogue() {
    let app = spawn_app().await;
    let catalogue = app.json("/v1/catalog", &app.admin()).await;
    let body = json!({"categories": catalogue["categories"]});
    let response = app
        .send(Method::PUT, "/v1/catalog", &app.regulator(), body.clone())
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app
        .send(Method::PUT, "/v1/catalog", "not-a-token", body)
        .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let expert = app.keys.token("expert-1", &["expert"]);
    assert_eq!(
        app.get("/v1/catalog", &expert).await.status(),
        StatusCode::FORBIDDEN
    );
}
