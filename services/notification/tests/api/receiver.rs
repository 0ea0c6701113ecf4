//! A real webhook receiver on loopback: it verifies each POST's signature itself and
//! answers as the test scripts it (failures, 429 with `Retry-After`, slowness).

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub event_id: String,
    pub signature_valid: bool,
    pub body: serde_json::Value,
    pub at: Instant,
}

/// How to answer the next POSTs, in order; afterwards `then`.
#[derive(Clone)]
pub enum Answer {
    Status(u16),
    TooManyRequests { retry_after_secs: u64 },
    Slow(Duration),
}

#[derive(Clone)]
struct Shared {
    secret: String,
    script: Arc<Mutex<VecDeque<Answer>>>,
    then: Arc<Mutex<Answer>>,
    received: Arc<Mutex<Vec<Received>>>,
}

/// A running receiver.
pub struct Receiver {
    pub url: String,
    shared: Shared,
}

impl Receiver {
    /// Starts a receiver that checks signatures with `secret`, answers `script` first and
    /// `then` afterwards.
    pub async fn start(secret: &str, script: Vec<Answer>, then: Answer) -> Self {
        let shared = Shared {
            secret: secret.to_owned(),
            script: Arc::new(Mutex::new(script.into())),
            then: Arc::new(Mutex::new(then)),
            received: Arc::default(),
        };
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, shared }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().expect("lock").clone()
    }

    /// Changes the answer once the script is used up.
    pub fn answer_from_now(&self, answer: Answer) {
        *self.shared.then.lock().expect("lock") = answer;
    }
}

async fn receive(State(shared): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(shared.secret.as_bytes()).expect("key");
    mac.update(&body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    shared.received.lock().expect("lock").push(Received {
        event_id: header("x-prism-event-id"),
        signature_valid: header("x-prism-signature") == expected,
        body: serde_json::from_slice(&body).unwrap_or_default(),
        at: Instant::now(),
    });
    let next = shared.script.lock().expect("lock").pop_front();
    let answer = next.unwrap_or_else(|| shared.then.lock().expect("lock").clone());
    match answer {
        Answer::Status(code) => StatusCode::from_u16(code)
            .unwrap_or(StatusCode::OK)
            .into_response(),
        Answer::TooManyRequests { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after_secs.to_string())],
        )
            .into_response(),
        Answer::Slow(delay) => {
            tokio::time::sleep(delay).await;
            StatusCode::OK.into_response()
        }
    }
}
