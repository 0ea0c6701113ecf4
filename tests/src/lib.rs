//! PRISM's end-to-end suite. [`Stack`] runs all five services in this process, each with
//! its own database, against one private NATS server, and offers a helper per call the
//! tests make. The tests live in `tests/`.

use std::{collections::HashMap, time::Duration};

use futures::StreamExt as _;
use prism_platform::config::Settings;
use prism_test_support::{NatsServer, TestDatabase, TestKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// The five services, NATS and the keys that sign people's tokens.
pub struct Stack {
    pub nats: NatsServer,
    pub keys: TestKeys,
    pub client: reqwest::Client,
    urls: HashMap<&'static str, String>,
    _databases: Vec<TestDatabase>,
    _data: tempfile::TempDir,
}

impl Stack {
    /// Starts NATS and every service.
    pub async fn start() -> anyhow::Result<Self> {
        let nats = NatsServer::start().await?;
        let keys = TestKeys::new();
        let data = tempfile::tempdir()?;
        let mut databases = Vec::new();
        let mut urls = HashMap::new();
        for name in [
            "intake",
            "triage",
            "assessment",
            "warning-publication",
            "notification",
        ] {
            let database = TestDatabase::new(name).await?;
            let dir = data.path().join(name).display().to_string();
            let settings =
                Settings::ephemeral(name, &database.url, &nats.url(), &keys.public_pem, &dir);
            let port = spawn(name, settings).await?;
            urls.insert(name, format!("http://127.0.0.1:{port}"));
            databases.push(database);
        }
        Ok(Self {
            nats,
            keys,
            client: reqwest::Client::new(),
            urls,
            _databases: databases,
            _data: data,
        })
    }

    /// The base URL of a service.
    pub fn url(&self, service: &str) -> &str {
        self.urls
            .get(service)
            .map(String::as_str)
            .unwrap_or("http://invalid")
    }

    /// A token for a person.
    pub fn token(&self, sub: &str, role: &str) -> String {
        self.keys.token(sub, &[role])
    }

    /// POSTs JSON and returns the status and body.
    pub async fn post(
        &self,
        service: &str,
        path: &str,
        token: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.url(service)))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request reaches the service");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// GETs JSON (with a token, or anonymously) and returns the status and body.
    pub async fn get(&self, service: &str, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut request = self.client.get(format!("{}{path}", self.url(service)));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request reaches the service");
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Registers a station with a key; returns (station id, API key).
    pub async fn station(&self, code: &str, districts: &[&str]) -> (String, String) {
        let admin = self.token("admin-1", "admin");
        let (status, station) = self
            .post(
                "intake",
                "/v1/stations",
                &admin,
                json!({"code": code, "name": "浦东新区某电商平台", "kind": "ecommerce_platform", "districts": districts}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{station}");
        let id = station["id"].as_str().unwrap_or_default().to_owned();
        let (status, key) = self
            .post(
                "intake",
                &format!("/v1/stations/{id}/keys"),
                &admin,
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{key}");
        (id, key["api_key"].as_str().unwrap_or_default().to_owned())
    }

    /// Opens a regulator's SSE stream.
    pub async fn stream(&self, token: &str) -> Events {
        let response = self
            .client
            .get(format!("{}/v1/stream", self.url("notification")))
            .bearer_auth(token)
            .send()
            .await
            .expect("stream opens");
        assert_eq!(response.status(), StatusCode::OK);
        Events::from_response(response)
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
    /// Reads a stream response as events.
    pub fn from_response(response: reqwest::Response) -> Self {
        Self {
            inner: eventsource_stream::Eventsource::eventsource(response.bytes_stream()).boxed(),
        }
    }

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

async fn spawn(name: &str, settings: Settings) -> anyhow::Result<u16> {
    let forever = std::future::pending::<()>();
    let port = match name {
        "intake" => {
            let app = intake::Application::build(settings).await?;
            let port = app.port();
            tokio::spawn(app.run_until(forever));
            port
        }
        "triage" => {
            let app = triage::Application::build(settings).await?;
            let port = app.port();
            tokio::spawn(app.run_until(forever));
            port
        }
        "notification" => {
            let app = notification::Application::build(settings).await?;
            let port = app.port();
            tokio::spawn(app.run_until(forever));
            port
        }
        "assessment" => {
            let app = assessment::Application::build(settings, Default::default()).await?;
            let port = app.port();
            tokio::spawn(app.run_until(forever));
            port
        }
        _ => {
            let app = warning_publication::Application::build(settings).await?;
            let port = app.port();
            tokio::spawn(app.run_until(forever));
            port
        }
    };
    Ok(port)
}
