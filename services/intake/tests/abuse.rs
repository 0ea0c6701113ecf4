//! Rate limits per key.

mod common;

use common::spawn_app_with;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_key_over_its_rate_limit_gets_429_with_retry_after_and_others_are_not_affected() {
    let app = spawn_app_with(|own| {
        // The admin registering the two stations spends 4 of its own 5.
        own.rate_limit.per_second = 1;
        own.rate_limit.burst = 5;
    })
    .await;
    let (_, greedy) = app.station("SH-A-001", &["310115"]).await;
    let (_, polite) = app.station("SH-A-002", &["310104"]).await;
    for _ in 0..5 {
        assert_eq!(
            app.get("/v1/reports", &greedy).await.status(),
            StatusCode::OK
        );
    }
    let response = app.get("/v1/reports", &greedy).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "rate_limited");
    assert_eq!(
        app.get("/v1/reports", &polite).await.status(),
        StatusCode::OK
    );
}
