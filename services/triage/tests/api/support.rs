//! A triage per test, with its own NATS server and database, and helpers to publish reports
//! the way intake does and to read what triage announced.

use std::time::Duration;

use async_nats::{header::NATS_MESSAGE_ID, jetstream};
use chrono::{DateTime, Utc};
use prism_contracts::{events::intake::ReportReceived, subjects, Envelope, ReportKind};
use prism_platform::config::Settings;
use prism_test_support::{eventually, NatsServer, TestDatabase, TestKeys};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub keys: TestKeys,
    pub client: reqwest::Client,
    pub js: jetstream::Context,
    pub _nats: NatsServer,
    pub _database: TestDatabase,
    pub _data: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    let nats = NatsServer::start().await.expect("nats");
    let database = TestDatabase::new("triage").await.expect("database");
    let keys = TestKeys::new();
    let data = tempfile::tempdir().expect("tempdir");
    let settings = Settings::ephemeral(
        "triage",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let application = triage::Application::build(settings)
        .await
        .expect("triage builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));
    let client = async_nats::connect(nats.url()).await.expect("nats client");
    TestApp {
        address,
        keys,
        client: reqwest::Client::new(),
        js: jetstream::new(client),
        _nats: nats,
        _database: database,
        _data: data,
    }
}

/// A report as intake would announce it.
pub fn report(product: &str, content: &str, districts: &[&str]) -> ReportReceived {
    ReportReceived {
        report_id: Uuid::now_v7(),
        station_id: Uuid::now_v7(),
        station_code: "SH-TI-001".into(),
        station_kind: "testing_institution".into(),
        kind: ReportKind::Routine,
        product: product.into(),
        category: None,
        districts: districts.iter().map(|d| (*d).to_owned()).collect(),
        content: content.into(),
        analysis: None,
        recommendation: None,
        source: None,
        hazards: vec![],
        casualties: None,
        occurred_at: None,
        received_at: Utc::now(),
        period: "2026-12".into(),
    }
}

impl TestApp {
    pub fn admin(&self) -> String {
        self.keys.token("admin-1", &["admin"])
    }

    pub fn regulator(&self) -> String {
        self.keys.token("regulator-1", &["regulator"])
    }

    pub fn bureau(&self, district: &str) -> String {
        self.keys
            .district_token(&format!("bureau-{district}"), &["regulator"], &[district])
    }

    /// Publishes `report` on intake's stream, as intake's relay does.
    pub async fn publish(&self, report: ReportReceived) -> Uuid {
        let id = report.report_id;
        let event = Envelope::new("intake", report);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, event.id.to_string().as_str());
        self.js
            .publish_with_headers(
                event.subject(),
                headers,
                serde_json::to_vec(&event).expect("json").into(),
            )
            .await
            .expect("publish")
            .await
            .expect("stored");
        id
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Value,
    ) -> Response {
        self.client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(token)
            .header("accept-language", "en")
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, token, body).await
    }

    pub async fn json(&self, path: &str, token: &str) -> Value {
        let response = self.get(path, token).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.expect("json")
    }

    /// Waits until triage has classified `report_id`, and returns the classification.
    pub async fn classified(&self, report_id: Uuid) -> Value {
        let path = format!("/v1/classifications/{report_id}");
        let token = self.regulator();
        eventually("the classification", Duration::from_secs(20), || async {
            let response = self.get(&path, &token).await;
            (response.status() == StatusCode::OK).then_some(())?;
            response.json::<Value>().await.ok()
        })
        .await
    }

    /// Waits until `report_id` is in a non-surge signal, and returns that signal's detail.
    pub async fn signal_of(&self, report_id: Uuid) -> Value {
        let token = self.regulator();
        eventually("the report's signal", Duration::from_secs(20), || async {
            let page = self.json("/v1/signals?limit=100", &token).await;
            for signal in page["items"].as_array()? {
                if signal["origin"] == "surge" {
                    continue;
                }
                let id = signal["id"].as_str()?;
                let detail = self.json(&format!("/v1/signals/{id}"), &token).await;
                if detail["report_ids"]
                    .as_array()?
                    .iter()
                    .any(|r| r == &Value::from(report_id.to_string()))
                {
                    return Some(detail);
                }
            }
            None
        })
        .await
    }

    /// What triage announced on `subject`, once there are at least `count`: the relay
    /// publishes after the commit that the API already shows, so a test that reads the
    /// stream straight after the API could find it one short.
    pub async fn announced_at_least(&self, subject: &str, count: usize) -> Vec<Value> {
        eventually(
            &format!("{count} announcements on {subject}"),
            Duration::from_secs(10),
            || async {
                let found = self.announced(subject).await;
                (found.len() >= count).then_some(found)
            },
        )
        .await
    }

    /// The payloads of every message on triage's stream with `subject`, oldest first.
    pub async fn announced(&self, subject: &str) -> Vec<Value> {
        let stream = subjects::stream_of(subject).expect("a stream captures the subject");
        let stream = self.js.get_stream(stream.name).await.expect("stream");
        let consumer = stream
            .create_consumer(jetstream::consumer::pull::Config {
                filter_subject: subject.to_owned(),
                ..Default::default()
            })
            .await
            .expect("consumer");
        let mut messages = consumer
            .fetch()
            .max_messages(1000)
            .expires(Duration::from_millis(300))
            .messages()
            .await
            .expect("fetch");
        let mut found = Vec::new();
        while let Some(Ok(message)) = futures::StreamExt::next(&mut messages).await {
            found.push(serde_json::from_slice(&message.payload).expect("json"));
        }
        found
    }
}

/// A time `days` ago.
pub fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::days(days)
}
