//! Who sees which case, and how the list pages.

use assessment::config::AssessmentSettings;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{decision, spawn_app};

#[tokio::test]
async fn every_endpoint_checks_the_callers_role() {
    let app = spawn_app(AssessmentSettings::default()).await;
    let id = app.case().await;
    let (case, decisions) = (
        format!("/v1/cases/{id}"),
        format!("/v1/cases/{id}/decisions"),
    );

    // No token, or a station's API key (not a person's JWT): 401.
    for path in ["/v1/cases", case.as_str(), decisions.as_str()] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            app.get(path, "prism_k1_notajwt").await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    // Experts read only cases on their panel (none here) and never decide.
    let expert = app.keys.token("exp-1", &["expert"]);
    assert_eq!(
        app.post(&decisions, &expert, decision("high"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/v1/cases", &expert, json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.json("/v1/cases", &expert).await["items"], json!([]));
    assert_eq!(
        app.get(&case, &expert).await.status(),
        StatusCode::NOT_FOUND
    );
    // Publishers have no business here.
    let publisher = app.keys.token("pub-1", &["publisher"]);
    assert_eq!(
        app.get("/v1/cases", &publisher).await.status(),
        StatusCode::FORBIDDEN
    );

    // A district bureau sees its districts' cases and nothing else.
    let pudong = app
        .keys
        .district_token("pudong", &["regulator"], &["310115"]);
    let xuhui = app
        .keys
        .district_token("xuhui", &["regulator"], &["310104"]);
    assert_eq!(app.get(&case, &pudong).await.status(), StatusCode::OK);
    for path in [case.as_str(), decisions.as_str()] {
        assert_eq!(
            app.get(path, &xuhui).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.post(&decisions, &xuhui, decision("high"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.json("/v1/cases", &xuhui).await["items"], json!([]));
    assert_eq!(
        app.json("/v1/cases", &pudong).await["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn the_case_list_pages_newest_first() {
    let app = spawn_app(AssessmentSettings::default()).await;
    let (first, second, third) = (app.case().await, app.case().await, app.case().await);
    let page = app.json("/v1/cases?limit=2", &app.regulator()).await;
    let ids = |page: &Value| -> Vec<String> {
        let items = page["items"].as_array().cloned().unwrap_or_default();
        items
            .iter()
            .filter_map(|c| c["id"].as_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(ids(&page), [third, second]);
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let rest = app
        .json(
            &format!("/v1/cases?limit=2&cursor={cursor}"),
            &app.regulator(),
        )
        .await;
    assert_eq!(ids(&rest), [first]);
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]
async fn operational_endpoints_answer_and_the_openapi_document_lists_every_path() {
    let app = spawn_app(AssessmentSettings::default()).await;
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let response = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .expect("request");
    let spec: Value = response.json().await.expect("json");
    for path in [
        "/v1/cases",
        "/v1/cases/{id}",
        "/v1/cases/{id}/decisions",
        "/v1/experts",
        "/v1/cases/{id}/assignment",
        "/v1/cases/{id}/scores",
        "/v1/cases/{id}/scores/{score_id}",
        "/v1/cases/{id}/lab-results",
        "/v1/cases/{id}/assessment",
    ] {
        assert!(spec["paths"][path].is_object(), "{path}");
    }
}
