//! Classification, hazards, importance and the unclassified queue.

use prism_contracts::{subjects::v1, Casualties};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{report, spawn_app};

#[tokio::test]
async fn a_report_is_classified_with_hazards_and_the_catalogue_version() {
    let app = spawn_app().await;
    let mut received = report(
        "Portable space heaters",
        "The casing overheats and smells of smoke",
        &["310104"],
    );
    received.hazards = vec!["burns".into()];
    let id = app.publish(received).await;
    let classified = app.classified(id).await;
    assert_eq!(classified["category"], "household_appliances");
    assert!(classified["confidence"].as_f64().expect("confidence") >= 0.5);
    assert_eq!(classified["catalogue_version"], 1);
    let hazards: Vec<&str> = classified["hazards"]
        .as_array()
        .expect("hazards")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(hazards, ["burns", "fire", "property", "personal_safety"]);
    // Smoke is a fire danger: the report is raised.
    assert_eq!(classified["important"], true);
    assert_eq!(
        classified["importance_reason"],
        "text shows fire: \"smoke\""
    );
}

#[tokio::test]
async fn a_routine_report_with_casualties_raises_an_alert_with_its_reason() {
    let app = spawn_app().await;
    let mut received = report("电热水壶", "底座漏电", &["310112"]);
    received.casualties = Some(Casualties {
        deaths: 0,
        injuries: 1,
    });
    let id = app.publish(received).await;
    let classified = app.classified(id).await;
    assert_eq!(classified["important"], true);
    assert_eq!(
        classified["importance_reason"],
        "casualties recorded: 0 dead, 1 injured"
    );
    let alerts = app.announced(v1::ALERT_RAISED).await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["data"]["report_id"], id.to_string());
}

#[tokio::test]
async fn an_unclassifiable_report_waits_for_a_person_who_classifies_it() {
    let app = spawn_app().await;
    let id = app
        .publish(report("神秘物品", "外观粗糙", &["310115"]))
        .await;
    let classified = app.classified(id).await;
    assert_eq!(classified["category"], Value::Null);

    let queue = app.json("/v1/unclassified", &app.regulator()).await;
    assert_eq!(queue["items"][0]["report_id"], id.to_string());
    let other_bureau = app.json("/v1/unclassified", &app.bureau("310104")).await;
    assert_eq!(other_bureau["items"], json!([]));

    let path = format!("/v1/classifications/{id}/reclassify");
    let response = app
        .post(
            &path,
            &app.regulator(),
            json!({"category": "no_such_category"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post(&path, &app.regulator(), json!({"category": "smart_home"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let after: Value = response.json().await.expect("json");
    assert_eq!(after["category"], "smart_home");
    assert_eq!(after["reviewed_by"], "regulator-1");

    assert_eq!(
        app.json("/v1/unclassified", &app.regulator()).await["items"],
        json!([])
    );
    let signal = app.signal_of(id).await;
    assert_eq!(signal["category"], "smart_home");
}

#[tokio::test]
async fn stations_and_other_roles_have_no_access() {
    let app = spawn_app().await;
    let id = app
        .publish(report("口罩", "过滤效率不达标", &["310115"]))
        .await;
    app.classified(id).await;
    let path = format!("/v1/classifications/{id}");
    // A station's API key is not a person's token.
    let station_key = "prism_sk_0123456789abcdef0123456789abcdef";
    for path in [
        path.as_str(),
        "/v1/signals",
        "/v1/unclassified",
        "/v1/catalog",
    ] {
        assert_eq!(
            app.get(path, station_key).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    let expert = app.keys.token("expert-1", &["expert"]);
    assert_eq!(
        app.get("/v1/signals", &expert).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&path, &app.bureau("310104")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&path, &app.bureau("310115")).await.status(),
        StatusCode::OK
    );
}
