//! One assessment per test, with its own NATS server and database, and a helper per call.

use std::time::Duration;

use assessment::config::AssessmentSettings;
use async_nats::{header::NATS_MESSAGE_ID, jetstream, HeaderMap};
use chrono::{DateTime, Utc};
use prism_contracts::{
    events::triage::{AlertRaised, SignalEscalated, SignalSnapshot},
    subjects::v1,
    Envelope, Event, RawEnvelope, RiskLevel,
};
use prism_platform::config::Settings;
use prism_test_support::{eventually, NatsServer, TestDatabase, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub nats_url: String,
    pub database_url: String,
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
        nats_url: nats.url(),
        database_url: database.url.clone(),
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
    pub async fn publish<T: Event>(&self, envelope: &Envelope<T>, msg_id: &str) -> u64 {
        let mut headers = HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, msg_id);
        let payload = serde_json::to_vec(envelope).expect("encode").into();
        let ack = self
            .js
            .publish_with_headers(envelope.data.subject(), headers, payload)
            .await
            .expect("publish");
        ack.await.expect("ack").sequence
    }

    /// Waits until the alert consumer has handled everything up to `sequence`.
    pub async fn alerts_handled_up_to(&self, sequence: u64) {
        self.caught_up(v1::TRIAGE_ALERTS.name, "assessment-alerts", sequence)
            .await;
    }

    /// Waits until the durable consumer `durable` of triage's stream has handled everything
    /// up to `sequence`.
    pub async fn handled_up_to(&self, durable: &str, sequence: u64) {
        self.caught_up(v1::TRIAGE.name, durable, sequence).await;
    }

    /// Waits until the durable consumer `durable` of `stream` has handled everything up to
    /// `sequence`.
    async fn caught_up(&self, stream: &str, durable: &str, sequence: u64) {
        eventually(
            "the consumer to catch up",
            Duration::from_secs(10),
            || async {
                let stream = self.js.get_stream(stream).await.ok()?;
                let info = stream.consumer_info(durable).await.ok()?;
                (info.ack_floor.stream_sequence >= sequence && info.num_ack_pending == 0)
                    .then_some(())
            },
        )
        .await;
    }

    /// A second instance of assessment on the same database and NATS server.
    pub async fn another_instance(&self, own: AssessmentSettings) -> tempfile::TempDir {
        let data = tempfile::tempdir().expect("tempdir");
        let settings = Settings::ephemeral(
            "assessment",
            &self.database_url,
            &self.nats_url,
            &self.keys.public_pem,
            &data.path().display().to_string(),
        );
        let application = assessment::Application::build(settings, own)
            .await
            .expect("a second assessment builds");
        tokio::spawn(application.run_until(std::future::pending()));
        data
    }

    /// Waits for the deadline sweep's first run, the one at start.
    pub async fn start_up_sweep_done(&self) {
        eventually(
            "the start-up deadline sweep",
            Duration::from_secs(30),
            || async {
                let url = format!("{}/metrics", self.address);
                let metrics = self.client.get(url).send().await.ok()?.text().await.ok()?;
                metrics
                    .lines()
                    .filter_map(|line| line.strip_prefix("assessment_deadline_sweeps_total "))
                    .any(|n| n.parse::<f64>().is_ok_and(|n| n >= 1.0))
                    .then_some(())
            },
        )
        .await;
    }

    /// How many events assessment announced on `subject`.
    pub async fn count_events(&self, subject: &str) -> usize {
        use futures::TryStreamExt as _;
        let Ok(stream) = self.js.get_stream(v1::ASSESSMENT.name).await else {
            return 0;
        };
        let mut subjects = stream
            .info_with_subjects(subject)
            .await
            .expect("stream info");
        let mut count = 0;
        while let Some((_, n)) = subjects.try_next().await.expect("subjects") {
            count += n;
        }
        count
    }

    /// Adds an expert to the pool (as an admin).
    pub async fn expert(&self, id: &str, specialties: &[&str], affiliations: &[&str]) {
        let admin = self.keys.token("admin-1", &["admin"]);
        let body = json!({"id": id, "name": format!("专家 {id}"), "specialties": specialties,
                          "affiliations": affiliations});
        let response = self.post("/v1/experts", &admin, body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "expert {id}");
    }

    /// Draws a panel of `size` for `case` (as a regulator) and returns the answer.
    pub async fn assign(&self, case: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .post(
                &format!("/v1/cases/{case}/assignment"),
                &self.regulator(),
                body,
            )
            .await;
        let status = response.status();
        (status, response.json().await.expect("json"))
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

pub fn escalated(signal_id: Uuid, important: bool, at: DateTime<Utc>) -> SignalEscalated {
    SignalEscalated {
        signal: SignalSnapshot {
            signal_id,
            product: "电热水壶".to_owned(),
            category: Some("household_appliances".to_owned()),
            districts: vec!["310104".to_owned()],
            report_ids: vec![Uuid::now_v7(), Uuid::now_v7()],
            report_count: 2,
            important,
            status: "escalated".to_owned(),
            origin: "duplicates".to_owned(),
            first_seen: at,
            last_seen: at,
        },
        level: Some(RiskLevel::High),
        by: Some("reg-9".to_owned()),
        reason: "多地报告壶底漏电".to_owned(),
        escalated_at: at,
    }
}

/// Settings for tests: the defaults with a fixed draw seed and a one-second deadline sweep.
pub fn settings() -> AssessmentSettings {
    AssessmentSettings {
        assignment_seed: Some(20261121),
        overdue_check_secs: 1,
        ..AssessmentSettings::default()
    }
}
