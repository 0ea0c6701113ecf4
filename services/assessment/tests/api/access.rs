//! Who may call what: stations and the public never; each person only their part.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{settings, spawn_app, TestApp};

async fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> StatusCode {
    let mut request = app
        .client
        .request(method.clone(), format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if method != Method::GET {
        request = request.json(&json!({}));
    }
    request.send().await.expect("request").status()
}

#[tokio::test]
async fn stations_and_the_public_get_401_and_each_role_only_its_part() {
    let app = spawn_app(settings()).await;
    app.expert("exp-a", &["children_products"], &[]).await;
    app.expert("exp-b", &["children_products"], &[]).await;
    let case = app.case().await;
    let (status, _) = app.assign(&case, json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    let score_path = format!("/v1/cases/{case}/scores/{}", uuid::Uuid::now_v7());
    let endpoints: Vec<(Method, String)> = vec![
        (Method::GET, "/v1/experts".to_owned()),
        (Method::POST, "/v1/experts".to_owned()),
        (Method::GET, format!("/v1/cases/{case}/assignment")),
        (Method::POST, format!("/v1/cases/{case}/assignment")),
        (Method::POST, format!("/v1/cases/{case}/scores")),
        (Method::PUT, score_path.clone()),
        (Method::POST, format!("/v1/cases/{case}/lab-results")),
        (Method::GET, format!("/v1/cases/{case}/assessment")),
    ];
    // The public (no token) and stations (an API key is no JWT): 401 everywhere.
    for (method, path) in &endpoints {
        for token in [None, Some("prism_k1_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] {
            assert_eq!(
                call(&app, method.clone(), path, token).await,
                StatusCode::UNAUTHORIZED,
                "{method} {path} with {token:?}"
            );
        }
    }
    // Publishers have no business here at all.
    let publisher = app.keys.token("pub-1", &["publisher"]);
    for (method, path) in &endpoints {
        assert_eq!(
            call(&app, method.clone(), path, Some(&publisher)).await,
            StatusCode::FORBIDDEN,
            "{method} {path}"
        );
    }
    // What each role may not do: 403 for the wrong role. (Allowed calls answer 2xx or,
    // with this empty body, 422: they got past the role check.)
    let expert = app.keys.token("exp-a", &["expert"]);
    let regulator = app.regulator();
    let admin = app.keys.token("admin-1", &["admin"]);
    let table: [(&str, &Method, &str, StatusCode); 10] = [
        (&expert, &Method::POST, "/v1/experts", StatusCode::FORBIDDEN),
        (
            &regulator,
            &Method::POST,
            "/v1/experts",
            StatusCode::FORBIDDEN,
        ),
        (
            &admin,
            &Method::POST,
            "/v1/experts",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (&expert, &Method::GET, "/v1/experts", StatusCode::FORBIDDEN),
        (&regulator, &Method::GET, "/v1/experts", StatusCode::OK),
        (
            &expert,
            &Method::POST,
            &format!("/v1/cases/{case}/assignment"),
            StatusCode::FORBIDDEN,
        ),
        (
            &admin,
            &Method::POST,
            &format!("/v1/cases/{case}/assignment"),
            StatusCode::FORBIDDEN,
        ),
        (
            &regulator,
            &Method::POST,
            &format!("/v1/cases/{case}/scores"),
            StatusCode::FORBIDDEN,
        ),
        (
            &expert,
            &Method::POST,
            &format!("/v1/cases/{case}/scores"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            &admin,
            &Method::POST,
            &format!("/v1/cases/{case}/lab-results"),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (token, method, path, expected) in table {
        assert_eq!(
            call(&app, method.clone(), path, Some(token)).await,
            expected,
            "{method} {path}"
        );
    }
    // An expert on the panel reads the case's panel and assessment; a score that does not
    // exist is 404.
    for path in [
        format!("/v1/cases/{case}/assignment"),
        format!("/v1/cases/{case}/assessment"),
    ] {
        let body: Value = app.json(&path, &expert).await;
        assert!(body.is_object(), "{path}");
    }
    let response = app
        .client
        .put(format!("{}{score_path}", app.address))
        .bearer_auth(&expert)
        .json(&json!({"injured": "儿童", "scenario": "x", "severity": 1,
                      "steps": [{"description": "a", "probability": 0.5}]}))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
