//! Monthly compliance and the overdue watch.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{report, spawn_app};
use intake::domain::period;
use prism_contracts::subjects::v1;
use prism_platform::config::DatabaseSettings;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_station_sees_on_time_and_late_months() {
    let app = spawn_app().await;
    let (station_id, key) = app.station("SH-C-001", &["310115"]).await;
    let current = period::routine_period_of(Utc::now());
    let last_month = period::previous(&current).expect("previous");

    assert_eq!(
        app.post("/v1/reports", &key, report("routine"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let mut late = report("routine");
    late["period"] = Value::from(last_month.clone());
    let accepted: Value = app
        .post("/v1/reports", &key, late)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(accepted["period"], last_month.as_str());

    let path = format!("/v1/stations/{station_id}/compliance");
    let body = app.get_json(&path, &key).await;
    let months = body["months"].as_array().expect("months");
    let standing = |p: &str| {
        months
            .iter()
            .find(|m| m["period"] == p)
            .map(|m| m["standing"].as_str().unwrap_or("").to_owned())
    };
    assert_eq!(standing(&current).as_deref(), Some("on_time"));
    assert_eq!(standing(&last_month).as_deref(), Some("late"));
    let due = period::due_date(&current).expect("due").to_string();
    assert!(months.iter().any(|m| m["due_date"] == due.as_str()));

    // A regulator sees it too; another station and an expert do not.
    assert_eq!(
        app.get(&path, &app.regulator()).await.status(),
        StatusCode::OK
    );
    let (_, other) = app.station("SH-C-002", &["310104"]).await;
    assert_eq!(app.get(&path, &other).await.status(), StatusCode::NOT_FOUND);
    let expert = app.keys.token("exp-1", &["expert"]);
    assert_eq!(
        app.get(&path, &expert).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_named_period_must_be_routine_and_not_in_the_future() {
    let app = spawn_app().await;
    let (_, key) = app.station("SH-C-003", &["310115"]).await;
    let next = period::next(&period::routine_period_of(Utc::now())).expect("next");
    for (kind, named) in [
        ("routine", next.as_str()),
        ("important", "2026-01"),
        ("routine", "2019-12"),
    ] {
        let mut body = report(kind);
        body["period"] = Value::from(named);
        let response = app.post("/v1/reports", &key, body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind} {named}"
        );
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], "period");
    }
    assert_eq!(app.report_count(&key).await, 0);
}

#[tokio::test]
async fn a_missed_due_date_raises_one_overdue_event_however_many_sweeps_run() {
    let app = spawn_app().await;
    let (_, diligent) = app.station("SH-C-004", &["310115"]).await;
    let (silent_id, _) = app.station("SH-C-005", &["310104"]).await;
    app.post("/v1/reports", &diligent, report("routine")).await;

    // An hour after the current period's deadline: the diligent station reported, the silent
    // one did not.
    let current = period::routine_period_of(Utc::now());
    let after = period::deadline(&current).expect("deadline") + chrono::Duration::hours(1);
    let settings = DatabaseSettings {
        url: app.database.url.clone(),
        max_connections: 4,
    };
    let first = prism_platform::db::connect(&settings).await.expect("db");
    let second = prism_platform::db::connect(&settings).await.expect("db");
    let outbox = prism_messaging::Outbox::new();
    // Two instances at once, then a "restarted" one.
    let (a, b) = tokio::join!(
        intake::store::compliance::raise_overdue(&first, &outbox, after),
        intake::store::compliance::raise_overdue(&second, &outbox, after),
    );
    let again = intake::store::compliance::raise_overdue(&first, &outbox, after)
        .await
        .expect("sweep");
    assert_eq!(a.expect("sweep") + b.expect("sweep") + again, 1);

    let client = async_nats::connect(app.nats.url()).await.expect("nats");
    let js = async_nats::jetstream::new(client);
    let message =
        prism_test_support::eventually("the overdue event", Duration::from_secs(10), || async {
            let stream = js.get_stream(v1::INTAKE.name).await.ok()?;
            stream
                .get_last_raw_message_by_subject(v1::STATION_REPORT_OVERDUE)
                .await
                .ok()
        })
        .await;
    let event: Value = serde_json::from_slice(&message.payload).expect("json");
    assert_eq!(event["data"]["station_id"], silent_id.as_str());
    assert_eq!(event["data"]["period"], current.as_str());
    let due = period::due_date(&current).expect("due").to_string();
    assert_eq!(event["data"]["due_date"], due.as_str());

    let mut stream = js.get_stream(v1::INTAKE.name).await.expect("stream");
    let info = stream.info().await.expect("info");
    // One report received, one overdue event: nothing raised twice.
    assert_eq!(info.state.messages, 2);
}
