//! Intake's HTTP API against a real NATS server and a real database.

use std::time::Duration;

use prism_contracts::subjects::v1;
use prism_platform::config::Settings;
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};

struct TestApp {
    address: String,
    keys: TestKeys,
    client: reqwest::Client,
    nats: NatsServer,
    _database: TestDatabase,
    _data: tempfile::TempDir,
}

async fn spawn_app() -> TestApp {
    let nats = NatsServer::start().await.expect("nats");
    let database = TestDatabase::new("intake").await.expect("database");
    let keys = TestKeys::new();
    let data = tempfile::tempdir().expect("tempdir");
    let settings = Settings::ephemeral(
        "intake",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let application = intake::Application::build(settings)
        .await
        .expect("intake builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        address,
        keys,
        client: reqwest::Client::new(),
        nats,
        _database: database,
        _data: data,
    }
}

impl TestApp {
    fn admin(&self) -> String {
        self.keys.token("admin-1", &["admin"])
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Registers a station and returns (station id, api key).
    async fn station(&self, code: &str, districts: &[&str]) -> (String, String) {
        let response = self
            .post(
                "/v1/stations",
                &self.admin(),
                json!({"code": code, "name": "上海某检测院", "kind": "testing_institution", "districts": districts,
                       "contact": {"name": "王工", "phone": "021-12345678"}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let station: Value = response.json().await.expect("json");
        let id = station["id"].as_str().expect("id").to_owned();
        let response = self
            .post(&format!("/v1/stations/{id}/keys"), &self.admin(), json!({}))
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let key: Value = response.json().await.expect("json");
        (id, key["api_key"].as_str().expect("api_key").to_owned())
    }
}

fn report(kind: &str) -> Value {
    json!({"kind": kind, "product": "儿童电动滑板车", "districts": ["310115"], "content": "电池鼓包起火",
           "hazards": ["fire"], "casualties": {"deaths": 0, "injuries": 1}})
}

#[tokio::test]
async fn a_station_posts_a_report_and_reads_it_back() {
    let app = spawn_app().await;
    let (station_id, key) = app.station("SH-TI-001", &["310115"]).await;
    let response = app.post("/v1/reports", &key, report("important")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let accepted: Value = response.json().await.expect("json");
    assert_eq!(accepted["status"], "received");
    assert!(accepted["period"].as_str().is_some_and(|p| p.len() == 7));

    let id = accepted["id"].as_str().expect("id");
    let read: Value = app
        .get(&format!("/v1/reports/{id}"), &key)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(read["station_id"], station_id.as_str());
    assert_eq!(read["casualties"]["injuries"], 1);
}

#[tokio::test]
async fn an_important_report_is_announced_in_the_important_lane() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-TI-002", &["310115"]).await;
    let client = async_nats::connect(app.nats.url()).await.expect("nats");
    let js = async_nats::jetstream::new(client);
    app.post("/v1/reports", &key, report("important")).await;

    let subject = v1::report_received(prism_contracts::Lane::Important);
    prism_test_support::eventually("the event", Duration::from_secs(10), || async {
        let stream = js.get_stream(v1::INTAKE_IMPORTANT.name).await.ok()?;
        let message = stream
            .get_last_raw_message_by_subject(&subject)
            .await
            .ok()?;
        Some(message)
    })
    .await;
}

#[tokio::test]
async fn a_station_cannot_see_another_stations_report() {
    let app = spawn_app().await;
    let (_, first) = app.station("SH-TI-003", &["310115"]).await;
    let (_, second) = app.station("SH-TI-004", &["310104"]).await;
    let accepted: Value = app
        .post("/v1/reports", &first, report("routine"))
        .await
        .json()
        .await
        .expect("json");
    let id = accepted["id"].as_str().expect("id");

    assert_eq!(
        app.get(&format!("/v1/reports/{id}"), &second)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/v1/reports/{id}/timeline"), &second)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let list: Value = app
        .get("/v1/reports", &second)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_district_bureau_sees_only_its_districts() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-TI-005", &["310115"]).await;
    let accepted: Value = app
        .post("/v1/reports", &key, report("routine"))
        .await
        .json()
        .await
        .expect("json");
    let id = accepted["id"].as_str().expect("id");

    let pudong = app
        .keys
        .district_token("pudong", &["regulator"], &["310115"]);
    let xuhui = app
        .keys
        .district_token("xuhui", &["regulator"], &["310104"]);
    assert_eq!(
        app.get(&format!("/v1/reports/{id}"), &pudong)
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/reports/{id}"), &xuhui).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_answer() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-TI-006", &["310115"]).await;
    let send = || {
        app.client
            .post(format!("{}/v1/reports", app.address))
            .bearer_auth(&key)
            .header("Idempotency-Key", "batch-42-row-7")
            .json(&report("routine"))
            .send()
    };
    let first: Value = send().await.expect("first").json().await.expect("json");
    let second = send().await.expect("second");
    assert_eq!(second.status(), StatusCode::CREATED);
    let second: Value = second.json().await.expect("json");
    assert_eq!(first["id"], second["id"]);
    let list: Value = app
        .get("/v1/reports", &key)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn bad_input_names_the_field_in_the_callers_language_and_stores_nothing() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-TI-007", &["310115"]).await;
    let response = app
        .client
        .post(format!("{}/v1/reports", app.address))
        .bearer_auth(&key)
        .header("Accept-Language", "en")
        .json(&json!({"kind": "routine", "product": "滑板车", "districts": ["999999"], "content": "x"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        response.headers()["content-type"].to_str().ok(),
        Some("application/problem+json")
    );
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "districts[0]");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("unknown district")));

    let response = app
        .post(
            "/v1/reports",
            &key,
            json!({"kind": "routine", "colour": "red"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "colour");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("未知字段")),
        "Chinese by default"
    );

    let list: Value = app
        .get("/v1/reports", &key)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn every_endpoint_checks_the_callers_role() {
    let app = spawn_app().await;
    let (station_id, key) = app.station("SH-TI-008", &["310115"]).await;
    let regulator = app.keys.token("reg-1", &["regulator"]);
    let expert = app.keys.token("exp-1", &["expert"]);

    // No credentials: 401 everywhere.
    for path in ["/v1/reports", "/v1/stations"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // A station cannot register stations or issue keys; a regulator cannot either.
    let body = json!({"code": "X-1", "name": "x", "kind": "school", "districts": ["310115"]});
    assert_eq!(
        app.post("/v1/stations", &key, body.clone()).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/v1/stations", &regulator, body).await.status(),
        StatusCode::FORBIDDEN
    );
    let keys_path = format!("/v1/stations/{station_id}/keys");
    assert_eq!(
        app.post(&keys_path, &regulator, json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    // People do not post reports; experts do not read them.
    assert_eq!(
        app.post("/v1/reports", &regulator, report("routine"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/v1/reports", &expert).await.status(),
        StatusCode::FORBIDDEN
    );
    // A forged token is refused.
    let forged = TestKeys::new().token("admin-1", &["admin"]);
    assert_eq!(
        app.get("/v1/stations", &forged).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_revoked_key_is_refused_on_the_next_request() {
    let app = spawn_app().await;
    let (station_id, key) = app.station("SH-TI-009", &["310115"]).await;
    assert_eq!(app.get("/v1/reports", &key).await.status(), StatusCode::OK);
    let key_id = key.split('_').nth(1).expect("key id");
    let response = app
        .client
        .delete(format!(
            "{}/v1/stations/{station_id}/keys/{key_id}",
            app.address
        ))
        .bearer_auth(app.admin())
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get("/v1/reports", &key).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_oversized_body_gets_413_before_parsing() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-TI-010", &["310115"]).await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let response = app
        .client
        .post(format!("{}/v1/reports", app.address))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "payload_too_large");
}

#[tokio::test]
async fn operational_endpoints_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let response = app
            .client
            .get(format!("{}{path}", app.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let spec: Value = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .send()
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert!(spec["paths"]["/v1/reports"].is_object());
}
