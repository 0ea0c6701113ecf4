//! One app per test: its own NATS server, database and signing keys; one helper per call.

use std::time::Duration;

use chrono::Utc;
use prism_contracts::{
    events::assessment::{DecisionRecorded, WarningDraftText},
    subjects::v1,
    Envelope, RawEnvelope, RiskLevel,
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
    pub nats: NatsServer,
    pub database: TestDatabase,
    _data: tempfile::TempDir,
}

pub async fn spawn_app() -> TestApp {
    let nats = NatsServer::start().await.expect("nats");
    let database = TestDatabase::new("warning-publication")
        .await
        .expect("database");
    let keys = TestKeys::new();
    let data = tempfile::tempdir().expect("tempdir");
    let settings = Settings::ephemeral(
        "warning-publication",
        &database.url,
        &nats.url(),
        &keys.public_pem,
        &data.path().display().to_string(),
    );
    let application = warning_publication::Application::build(settings)
        .await
        .expect("warning-publication builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until(std::future::pending()));
    TestApp {
        address,
        keys,
        client: reqwest::Client::new(),
        nats,
        database,
        _data: data,
    }
}

impl TestApp {
    pub fn regulator(&self) -> String {
        self.keys.token("reg-1", &["regulator"])
    }

    pub fn publisher(&self) -> String {
        self.keys.token("pub-1", &["publisher"])
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// A GET without credentials, as the public sends it.
    pub async fn public(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request")
    }

    pub async fn json(&self, response: reqwest::Response) -> Value {
        response.json().await.expect("json")
    }

    /// A regulator's valid draft; returns the created warning.
    pub async fn draft(&self, token: &str, body: Value) -> Value {
        let response = self.post("/v1/warnings", token, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        self.json(response).await
    }

    pub async fn approve(&self, id: &str, token: &str) -> reqwest::Response {
        self.post(&format!("/v1/warnings/{id}/approve"), token, json!({}))
            .await
    }

    /// Drafts `body` as reg-1 and publishes it as pub-1; returns the id.
    pub async fn publish(&self, body: Value) -> String {
        let draft = self.draft(&self.regulator(), body).await;
        let id = draft["id"].as_str().expect("id").to_owned();
        assert_eq!(
            self.approve(&id, &self.publisher()).await.status(),
            StatusCode::OK
        );
        id
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> reqwest::Response {
        self.client
            .put(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    /// The audit trail of a warning as (action, actor).
    pub async fn trail(&self, id: &str) -> Vec<(String, String)> {
        let db = sea_orm::Database::connect(&self.database.url)
            .await
            .expect("database");
        warning_publication::store::audit::of(&db, id.parse().expect("uuid"))
            .await
            .expect("audit")
            .into_iter()
            .map(|a| (a.action, a.actor))
            .collect()
    }

    pub async fn drafts(&self) -> Vec<Value> {
        let page = self
            .json(self.get("/v1/drafts?limit=100", &self.regulator()).await)
            .await;
        page["items"].as_array().cloned().unwrap_or_default()
    }

    pub async fn jetstream(&self) -> async_nats::jetstream::Context {
        async_nats::jetstream::new(async_nats::connect(self.nats.url()).await.expect("nats"))
    }

    /// Publishes a decision as assessment's relay would, with its own `Nats-Msg-Id`.
    pub async fn publish_decision(&self, envelope: &Envelope<DecisionRecorded>, msg_id: &str) {
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", msg_id);
        let payload = serde_json::to_vec(envelope).expect("encodes");
        self.jetstream()
            .await
            .publish_with_headers(v1::DECISION_RECORDED, headers, payload.into())
            .await
            .expect("publish")
            .await
            .expect("ack");
    }

    /// Waits until the decisions consumer has drafted a warning for `case_id`.
    pub async fn draft_of_case(&self, case_id: Uuid) -> Value {
        eventually(
            "the draft of the decision",
            Duration::from_secs(10),
            || async {
                self.drafts()
                    .await
                    .into_iter()
                    .find(|d| d["case_id"] == case_id.to_string())
            },
        )
        .await
    }

    /// The last event on `subject` of `stream`, once there is one.
    pub async fn last_event(&self, stream: &str, subject: &str) -> RawEnvelope {
        let js = self.jetstream().await;
        eventually("the event", Duration::from_secs(10), || async {
            let stream = js.get_stream(stream).await.ok()?;
            let message = stream.get_last_raw_message_by_subject(subject).await.ok()?;
            RawEnvelope::from_slice(&message.payload).ok()
        })
        .await
    }
}

pub fn warning_body() -> Value {
    json!({"type": "consumer_tip", "title_zh": "谨慎选购儿童电动滑板车", "summary_zh": "部分产品电池鼓包起火",
           "advice_zh": "勿整夜充电，选购有 3C 标志的产品", "title_en": "Take care with children's e-scooters",
           "level": "high", "category": "children_products", "districts": ["310115"]})
}

pub fn decision(case_id: Uuid, with_warning: bool) -> Envelope<DecisionRecorded> {
    let warning = with_warning.then(|| WarningDraftText {
        title_zh: "儿童电动滑板车起火风险警示".to_owned(),
        summary_zh: "多起电池起火".to_owned(),
        advice_zh: "停止使用并联系商家".to_owned(),
        title_en: Some("Fire risk of children's e-scooters".to_owned()),
        summary_en: None,
        advice_en: None,
    });
    Envelope::new(
        "assessment",
        DecisionRecorded {
            case_id,
            decision_id: Uuid::now_v7(),
            version: 1,
            risk_level: RiskLevel::Serious,
            measures: vec!["recall".to_owned(), "warning".to_owned()],
            product: "儿童电动滑板车".to_owned(),
            category: Some("children_products".to_owned()),
            districts: vec!["310115".to_owned(), "310104".to_owned()],
            report_ids: vec![Uuid::now_v7()],
            warning,
            decided_by: "reg-decider".to_owned(),
            decided_at: Utc::now(),
        },
    )
}
