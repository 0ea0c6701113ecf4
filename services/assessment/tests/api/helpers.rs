//! One assessment per test, with its own NATS server and database, and a helper per call.

use std::time::Duration;

use assessment::config::AssessmentSettings;
use async_nats::{header::NATS_MESSAGE_ID, jetstream, HeaderMap};
use chrono::{DateTime, Utc};
use prism_contracts::{
    events::triage::AlertRaised, subjects::v1, Envelope, Event, RawEnvelope, RiskLevel,
};
use prism_platform::config::Settings;
use prism_test_support::{eventually, NatsServer, TestDatabase, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub keys: TestKeys,
    pub client: reqwest::Client,
    pub js: jetstream::Context,
    _nats: NatsServer,
    _database: TestDatabase,
    _data: tempfile::TempDir,
}

pub async fn spawn_app(own: AssessmentSettings) -> TestApp {
    let nats = NatsServer::start().await.expect("nats");
    let database = TestDatabase::new("assessment").await.expect("database");
    let keys = TestKeys::new();
    let data = tempfile::tempdir().expect("tempdir");
    let settings = Settings::ephemeral(
        "assessment",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let application = assessment::Application::build(settings, own)
        .await
        .expect("assessment builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));
    let js = jetstream::new(async_nats::connect(nats.url()).await.expect("nats client"));
    TestApp {
        address,
        keys,
        client: reqwest::Client::new(),
        js,
        _nats: nats,
        _database: database,
        _data: data,
    }
}

impl TestApp {
    pub fn regulator(&self) -> String {
        self.keys.token("reg-1", &["regulator"])
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        let request = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token);
        request.json(&body).send().await.expect("request")
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        let request = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token);
        request.send().await.expect("request")
    }

    pub async fn json(&self, path: &str, token: &str) -> Value {
        let response = self.get(path, token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.expect("json")
    }

    /// Opens a case by hand in Pudong and returns its id.
    pub async fn case(&self) -> String {
        let report = Uuid::now_v7().to_string();
        let body = json!({"product": "儿童电动滑板车", "category": "children_products",
                          "districts": ["310115"], "report_ids": [report]});
        let response = self.post("/v1/cases", &self.regulator(), body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let case: Value = response.json().await.expect("json");
        case["id"].as_str().expect("id").to_owned()
    }

    /// Publishes as triage's relay would, with `msg_id` as JetStream's dedup id; returns the
    /// stream sequence.
    pub async fn publish(&self, envelope: &Envelope<AlertRaised>, msg_id: &str) -> u64 {
        let mut headers = HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, msg_id);
        let payload = serde_json::to_vec(envelope).expect("encode").into();
        let ack = self
            .js
            .publish_with_headers(v1::ALERT_RAISED, headers, payload)
            .await
            .expect("publish");
        ack.await.expect("ack").sequence
    }

    /// Waits until the alert consumer has handled everything up to `sequence`.
    pub async fn alerts_handled_up_to(&self, sequence: u64) {
        eventually(
            "the alert consumer to catch up",
            Duration::from_secs(10),
            || async {
                let stream = self.js.get_stream(v1::TRIAGE.name).await.ok()?;
                let info = stream.consumer_info("assessment-alerts").await.ok()?;
                (info.ack_floor.stream_sequence >= sequence && info.num_ack_pending == 0)
                    .then_some(())
            },
        )
        .await;
    }

    /// The last event assessment announced on `subject`.
    pub async fn last_event<T: Event>(&self, subject: &str) -> Envelope<T> {
        let message = eventually("the event", Duration::from_secs(10), || async {
            let stream = self.js.get_stream(v1::ASSESSMENT.name).await.ok()?;
            stream.get_last_raw_message_by_subject(subject).await.ok()
        })
        .await;
        RawEnvelope::from_slice(&message.payload)
            .expect("envelope")
            .decode()
            .expect("event")
    }
}

pub fn alert(raised_at: DateTime<Utc>) -> AlertRaised {
    AlertRaised {
        alert_id: Uuid::now_v7(),
        report_id: Uuid::now_v7(),
        product: "儿童电动滑板车".to_owned(),
        category: Some("children_products".to_owned()),
        districts: vec!["310115".to_owned()],
        hazards: vec!["fire".to_owned()],
        casualties: None,
        station_id: Uuid::now_v7(),
        station_code: "SH-TI-001".to_owned(),
        level: RiskLevel::Serious,
        reason: "人员受伤".to_owned(),
        received_at: raised_at,
        raised_at,
    }
}

pub fn decision(level: &str) -> Value {
    json!({"risk_level": level, "measures": ["recall", "risk_warning"], "responsible": "浦东新区市场监管局",
           "warning": {"title_zh": "儿童电动滑板车起火风险警示", "summary_zh": "电池鼓包起火",
                       "advice_zh": "立即停止使用", "title_en": "Fire risk of children's e-scooters"}})
}
