//! The access matrix: every endpoint, every kind of caller. No credentials is 401, the wrong
//! role 403, another station's things 404 (never 403, never their data).

mod common;

use common::{multipart, report, spawn_app, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

enum Body {
    Empty,
    Json(Value),
    Form(Vec<u8>),
}

async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    token: Option<&str>,
    body: &Body,
) -> StatusCode {
    let mut request = app.client.request(method.clone(), app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request = match body {
        Body::Empty => request,
        Body::Json(value) => request.json(value),
        Body::Form(bytes) => {
            let (content_type, _) = multipart(&[]);
            request
                .header("content-type", content_type)
                .body(bytes.clone())
        }
    };
    let response = request.send().await.expect("request");
    let status = response.status();
    if status == StatusCode::NOT_FOUND {
        // A 404 says nothing about what it hides.
        let text = response.text().await.unwrap_or_default();
        assert!(!text.contains("儿童电动滑板车"), "{path}: {text}");
    }
    status
}

#[tokio::test]
async fn every_endpoint_answers_each_caller_as_the_matrix_says() {
    let app = spawn_app().await;
    let (a_id, a) = app.station("SH-M-001", &["310115"]).await;
    let (_, b) = app.station("SH-M-002", &["310104"]).await;
    let regulator = app.regulator();
    let expert = app.keys.token("exp-1", &["expert"]);
    let admin = app.admin();

    let accepted: Value = app
        .post("/v1/reports", &a, report("routine"))
        .await
        .json()
        .await
        .expect("json");
    let r = accepted["id"].as_str().expect("id").to_owned();
    let period = accepted["period"].as_str().expect("period").to_owned();
    let photo = {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        bytes.extend_from_slice(&[1_u8; 64]);
        bytes
    };
    let (_, photo_form) = multipart(&[("file", Some("p.png"), &photo)]);
    let upload: Value = app
        .upload(
            &format!("/v1/reports/{r}/attachments"),
            &a,
            &[("file", Some("p.png"), &photo)],
        )
        .await
        .json()
        .await
        .expect("json");
    let sha = upload["sha256"].as_str().expect("sha").to_owned();
    let (_, garbage_form) = multipart(&[("file", Some("x.xlsx"), b"not a workbook")]);

    use StatusCode as S;
    let (get, post, delete) = (Method::GET, Method::POST, Method::DELETE);
    let station_body =
        json!({"code": "SH-M-099", "name": "新站", "kind": "school", "districts": ["310115"]});
    // (method, path, body, [a, b, regulator, expert, admin])
    let matrix: Vec<(Method, String, Body, [S; 5])> = vec![
        (
            post.clone(),
            "/v1/stations".into(),
            Body::Json(station_body),
            [
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::CREATED,
            ],
        ),
        (
            get.clone(),
            "/v1/stations".into(),
            Body::Empty,
            [S::FORBIDDEN, S::FORBIDDEN, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            get.clone(),
            format!("/v1/stations/{a_id}"),
            Body::Empty,
            [S::OK, S::NOT_FOUND, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            post.clone(),
            format!("/v1/stations/{a_id}/keys"),
            Body::Json(json!({})),
            [
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::CREATED,
            ],
        ),
        (
            delete.clone(),
            format!("/v1/stations/{a_id}/keys/nosuchkey"),
            Body::Empty,
            [
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::NOT_FOUND,
            ],
        ),
        (
            get.clone(),
            format!("/v1/stations/{a_id}/compliance"),
            Body::Empty,
            [S::OK, S::NOT_FOUND, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            post.clone(),
            "/v1/reports".into(),
            Body::Json(report("routine")),
            [
                S::CREATED,
                S::CREATED,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            post.clone(),
            "/v1/reports/batch".into(),
            Body::Json(json!({"reports": [report("routine")]})),
            [S::OK, S::OK, S::FORBIDDEN, S::FORBIDDEN, S::FORBIDDEN],
        ),
        (
            post.clone(),
            "/v1/reports/import".into(),
            Body::Form(garbage_form),
            [
                S::BAD_REQUEST,
                S::BAD_REQUEST,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            get.clone(),
            "/v1/reports".into(),
            Body::Empty,
            [S::OK, S::OK, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            get.clone(),
            format!("/v1/reports/export.xlsx?period={period}"),
            Body::Empty,
            [S::OK, S::OK, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            get.clone(),
            format!("/v1/reports/{r}"),
            Body::Empty,
            [S::OK, S::NOT_FOUND, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            get.clone(),
            format!("/v1/reports/{r}/timeline"),
            Body::Empty,
            [S::OK, S::NOT_FOUND, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            post.clone(),
            format!("/v1/reports/{r}/attachments"),
            Body::Form(photo_form),
            [
                S::OK,
                S::NOT_FOUND,
                S::FORBIDDEN,
                S::FORBIDDEN,
                S::FORBIDDEN,
            ],
        ),
        (
            get.clone(),
            format!("/v1/reports/{r}/attachments"),
            Body::Empty,
            [S::OK, S::NOT_FOUND, S::OK, S::FORBIDDEN, S::OK],
        ),
        (
            get.clone(),
            format!("/v1/reports/{r}/attachments/{sha}"),
            Body::Empty,
            [S::OK, S::NOT_FOUND, S::OK, S::FORBIDDEN, S::OK],
        ),
    ];
    for (method, path, body, expected) in &matrix {
        assert_eq!(
            call(&app, method, path, None, body).await,
            S::UNAUTHORIZED,
            "{method} {path} without a key"
        );
        let forged = prism_test_support::TestKeys::new().token("admin-1", &["admin"]);
        assert_eq!(
            call(&app, method, path, Some(&forged), body).await,
            S::UNAUTHORIZED,
            "{method} {path} forged"
        );
        let callers = [
            ("a", &a),
            ("b", &b),
            ("regulator", &regulator),
            ("expert", &expert),
            ("admin", &admin),
        ];
        for ((who, token), status) in callers.iter().zip(expected) {
            assert_eq!(
                call(&app, method, path, Some(token), body).await,
                *status,
                "{method} {path} as {who}"
            );
        }
    }

    // Station b's list holds only its own report, never a's.
    let list = app.get_json("/v1/reports", &b).await;
    assert!(list["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|item| item["id"] != r.as_str()));
}

#[tokio::test]
async fn the_openapi_document_lists_every_endpoint() {
    let app = spawn_app().await;
    let spec: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    for path in [
        "/v1/stations",
        "/v1/stations/{id}",
        "/v1/stations/{id}/keys",
        "/v1/stations/{id}/keys/{key_id}",
        "/v1/stations/{id}/compliance",
        "/v1/reports",
        "/v1/reports/batch",
        "/v1/reports/import",
        "/v1/reports/export.xlsx",
        "/v1/reports/{id}",
        "/v1/reports/{id}/timeline",
        "/v1/reports/{id}/attachments",
        "/v1/reports/{id}/attachments/{sha256}",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} missing");
    }
}
