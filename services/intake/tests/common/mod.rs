//! A running intake per test, against a real NATS server and a real database.
#![allow(dead_code)]

use prism_platform::config::Settings;
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub struct TestApp {
    pub address: String,
    pub keys: TestKeys,
    pub client: reqwest::Client,
    pub nats: NatsServer,
    pub database: TestDatabase,
    pub data: tempfile::TempDir,
}

/// Intake with the test defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Intake with settings adjusted by `adjust` (rate limits, body limits).
pub async fn spawn_app_with(adjust: impl FnOnce(&mut intake::config::IntakeSettings)) -> TestApp {
    let nats = NatsServer::start().await.expect("nats");
    let database = TestDatabase::new("intake").await.expect("database");
    let keys = TestKeys::new();
    let data = tempfile::tempdir().expect("tempdir");
    let mut settings = Settings::ephemeral(
        "intake",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    // Attachments are up to 10 MB; the edge's limit must let them through.
    settings.http.body_limit_bytes = 12 * 1024 * 1024;
    let mut own = intake::config::IntakeSettings::default();
    adjust(&mut own);
    let application = intake::Application::build_with(settings, own)
        .await
        .expect("intake builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        address,
        keys,
        client: reqwest::Client::new(),
        nats,
        database,
        data,
    }
}

impl TestApp {
    pub fn admin(&self) -> String {
        self.keys.token("admin-1", &["admin"])
    }

    pub fn regulator(&self) -> String {
        self.keys.token("reg-1", &["regulator"])
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str, token: &str) -> Value {
        let response = self.get(path, token).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("json")
    }

    /// Registers a station of `kind` and returns (station id, api key).
    pub async fn station_of(&self, code: &str, kind: &str, districts: &[&str]) -> (String, String) {
        let response = self
            .post(
                "/v1/stations",
                &self.admin(),
                json!({"code": code, "name": format!("上海{code}监测站"), "kind": kind, "districts": districts,
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

    /// A testing-institution station.
    pub async fn station(&self, code: &str, districts: &[&str]) -> (String, String) {
        self.station_of(code, "testing_institution", districts)
            .await
    }

    /// How many reports a station sees.
    pub async fn report_count(&self, key: &str) -> usize {
        let list = self.get_json("/v1/reports?limit=100", key).await;
        list["items"].as_array().map(Vec::len).unwrap_or(0)
    }
}

/// A general-form report.
pub fn report(kind: &str) -> Value {
    json!({"kind": kind, "product": "儿童电动滑板车", "districts": ["310115"], "content": "电池鼓包起火",
           "hazards": ["fire"], "casualties": {"deaths": 0, "injuries": 1}})
}

/// A `multipart/form-data` body: (name, file name if a file, bytes).
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "prism-test-boundary-7d3f";
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Uploads `parts` as multipart to `path`.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> reqwest::Response {
        let (content_type, body) = multipart(parts);
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }
}
