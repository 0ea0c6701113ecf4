//! One notification per test (or two sharing a database), with its own NATS server and
//! database, and a helper per call.

use std::time::Duration;

use async_nats::{header::NATS_MESSAGE_ID, jetstream, HeaderMap};
use chrono::Utc;
use futures::StreamExt as _;
use notification::config::NotificationSettings;
use prism_contracts::{
    events::triage::AlertRaised, subjects::v1, Casualties, Envelope, Event, RawEnvelope, RiskLevel,
};
use prism_platform::config::Settings;
use prism_test_support::{eventually, NatsServer, TestDatabase, TestKeys};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::sync::oneshot;
use uuid::Uuid;

/// Settings for tests: loopback targets allowed, quick retries.
pub fn settings() -> NotificationSettings {
    let mut own = NotificationSettings::default();
    own.webhooks.allow_private_targets = true;
    own.webhooks.backoff_base_ms = 100;
    own.webhooks.timeout_secs = 3;
    own.dispatch.poll_millis = 100;
    own
}

/// NATS, a database and keys, shared by the instances of one test.
pub struct World {
    pub nats: NatsServer,
    pub database: TestDatabase,
    pub keys: TestKeys,
    pub js: jetstream::Context,
    pub client: reqwest::Client,
    data: tempfile::TempDir,
}

/// One running notification instance.
pub struct Instance {
    pub address: String,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl World {
    pub async fn new() -> Self {
        let nats = NatsServer::start().await.expect("nats");
        let database = TestDatabase::new("notification").await.expect("database");
        let js = jetstream::new(async_nats::connect(nats.url()).await.expect("nats client"));
        Self {
            nats,
            database,
            keys: TestKeys::new(),
            js,
            client: reqwest::Client::new(),
            data: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Starts an instance on this world's NATS and database.
    pub async fn instance(&self, own: NotificationSettings) -> Instance {
        let settings = Settings::ephemeral(
            "notification",
            &self.database.url,
            &self.nats.url(),
            &self.keys.public_pem,
            &self.data.path().display().to_string(),
        );
        let application = notification::Application::build_with(settings, own)
            .await
            .expect("notification builds");
        let address = format!("http://127.0.0.1:{}", application.port());
        let (stop, stopped) = oneshot::channel::<()>();
        let done = tokio::spawn(application.run_until(async move {
            let _ = stopped.await;
        }));
        Instance {
            address,
            stop: Some(stop),
            done,
        }
    }

    pub fn regulator(&self, sub: &str) -> String {
        self.keys.token(sub, &["regulator"])
    }

    pub fn admin(&self) -> String {
        self.keys.token("admin-1", &["admin"])
    }

    /// Publishes as triage's relay would, with `msg_id` as JetStream's dedup id; returns
    /// the stream sequence.
    pub async fn publish<T: Event>(&self, envelope: &Envelope<T>, msg_id: &str) -> u64 {
        let mut headers = HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, msg_id);
        let payload = serde_json::to_vec(envelope).expect("encode").into();
        let ack = self
            .js
            .publish_with_headers(envelope.subject(), headers, payload)
            .await
            .expect("publish");
        ack.await.expect("ack").sequence
    }

    /// Publishes a new alert; returns its envelope.
    pub async fn raise(&self, alert: AlertRaised) -> Envelope<AlertRaised> {
        let envelope = Envelope::new("triage", alert);
        self.publish(&envelope, &envelope.id.to_string()).await;
        envelope
    }

    /// Waits until the consumer `durable` of `stream` has handled everything up to `sequence`.
    pub async fn handled_up_to(&self, stream: &str, durable: &str, sequence: u64) {
        eventually(
            "the consumer to catch up",
            Duration::from_secs(15),
            || async {
                let stream = self.js.get_stream(stream).await.ok()?;
                let info = stream.consumer_info(durable).await.ok()?;
                (info.ack_floor.stream_sequence >= sequence && info.num_ack_pending == 0)
                    .then_some(())
            },
        )
        .await;
    }

    /// Every event notification announced on `subject` so far.
    pub async fn announced<T: Event>(&self, subject: &str) -> Vec<Envelope<T>> {
        let stream = self
            .js
            .get_stream(v1::NOTIFICATION.name)
            .await
            .expect("stream");
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
        let mut events = Vec::new();
        while let Some(Ok(message)) = messages.next().await {
            let raw = RawEnvelope::from_slice(&message.payload).expect("envelope");
            events.push(raw.decode().expect("event"));
        }
        events
    }
}

impl Instance {
    pub async fn post(
        &self,
        world: &World,
        path: &str,
        token: &str,
        body: Value,
    ) -> reqwest::Response {
        world
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn get(&self, world: &World, path: &str, token: &str) -> reqwest::Response {
        world
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn json(&self, world: &World, path: &str, token: &str) -> Value {
        let response = self.get(world, path, token).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.expect("json")
    }

    /// Subscribes; returns the subscription.
    pub async fn subscribe(&self, world: &World, token: &str, body: Value) -> Value {
        let response = self.post(world, "/v1/subscriptions", token, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("json")
    }

    /// The deliveries of an alert.
    pub async fn deliveries(&self, world: &World, alert_id: Uuid) -> Vec<Value> {
        let path = format!("/v1/alerts/{alert_id}/deliveries");
        // 404 until the consumer has recorded the alert.
        let response = self.get(world, &path, &world.regulator("auditor")).await;
        if response.status() != StatusCode::OK {
            return Vec::new();
        }
        let list: Value = response.json().await.expect("json");
        list.as_array().cloned().unwrap_or_default()
    }

    /// Waits until the alert's delivery over `channel` has `status`; returns it.
    pub async fn delivery_with_status(
        &self,
        world: &World,
        alert_id: Uuid,
        channel: &str,
        status: &str,
    ) -> Value {
        eventually(
            &format!("a {status} {channel} delivery"),
            Duration::from_secs(20),
            || async {
                self.deliveries(world, alert_id)
                    .await
                    .into_iter()
                    .find(|d| d["channel"] == channel && d["status"] == status)
            },
        )
        .await
    }

    /// Opens a regulator's SSE stream, optionally resuming after `last_event_id`.
    pub async fn stream(&self, world: &World, token: &str, last_event_id: Option<&str>) -> Events {
        let mut request = world
            .client
            .get(format!("{}/v1/stream", self.address))
            .bearer_auth(token);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("stream opens");
        assert_eq!(response.status(), StatusCode::OK);
        Events {
            inner: eventsource_stream::Eventsource::eventsource(response.bytes_stream()).boxed(),
        }
    }

    /// Stops the instance as SIGTERM would.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = self.done.await;
    }
}

/// A regulator's open stream.
pub struct Events {
    inner: futures::stream::BoxStream<
        'static,
        Result<eventsource_stream::Event, eventsource_stream::EventStreamError<reqwest::Error>>,
    >,
}

impl Events {
    /// The next event named `event`, skipping others, within `timeout`.
    pub async fn next(
        &mut self,
        event: &str,
        timeout: Duration,
    ) -> Option<eventsource_stream::Event> {
        tokio::time::timeout(timeout, async {
            while let Some(item) = self.inner.next().await {
                match item {
                    Ok(e) if e.event == event => return Some(e),
                    Ok(_) => continue,
                    Err(_) => return None,
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
    }
}

/// An important alert in Pudong.
pub fn alert() -> AlertRaised {
    let now = Utc::now();
    AlertRaised {
        alert_id: Uuid::now_v7(),
        report_id: Uuid::now_v7(),
        product: "儿童电动滑板车".to_owned(),
        category: Some("children_products".to_owned()),
        districts: vec!["310115".to_owned()],
        hazards: vec!["fire".to_owned()],
        casualties: Some(Casualties {
            deaths: 0,
            injuries: 2,
        }),
        station_id: Uuid::now_v7(),
        station_code: "SH-EC-001".to_owned(),
        level: RiskLevel::Serious,
        reason: "人员受伤".to_owned(),
        received_at: now,
        raised_at: now,
    }
}
