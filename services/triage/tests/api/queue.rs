//! The regulator's queue: filters, pagination, district bureaus, and the audited actions.

use prism_contracts::subjects::v1;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{report, spawn_app, TestApp};

/// Three unrelated reports, each its own signal; returns their signals' ids.
async fn three_signals(app: &TestApp) -> Vec<String> {
    let reports = [
        report("儿童玩具", "小零件易脱落", &["310115"]),
        report("电吹风", "外壳温度过高", &["310104"]),
        report("校服", "面料pH值超标", &["310115"]),
    ];
    let mut ids = Vec::new();
    for received in reports {
        let id = app.publish(received).await;
        ids.push(
            app.signal_of(id).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    ids
}

#[tokio::test]
async fn the_queue_filters_pages_and_limits_a_bureau_to_its_districts() {
    let app = spawn_app().await;
    let ids = three_signals(&app).await;
    let page = app.json("/v1/signals?limit=2", &app.regulator()).await;
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(page["items"][0]["id"], ids[2].as_str(), "newest first");
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let next = app
        .json(
            &format!("/v1/signals?limit=2&cursor={cursor}"),
            &app.regulator(),
        )
        .await;
    assert_eq!(next["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(next["next_cursor"], Value::Null);

    let pudong = app.json("/v1/signals", &app.bureau("310115")).await;
    assert_eq!(pudong["items"].as_array().map(Vec::len), Some(2));
    let filtered = app
        .json(
            "/v1/signals?category=school_uniforms&status=open",
            &app.regulator(),
        )
        .await;
    assert_eq!(filtered["items"].as_array().map(Vec::len), Some(1));
    let xuhui_signal = format!("/v1/signals/{}", ids[1]);
    assert_eq!(
        app.get(&xuhui_signal, &app.bureau("310115")).await.status(),
        StatusCode::NOT_FOUND
    );
    let response = app
        .post(
            &format!("{xuhui_signal}/dismiss"),
            &app.bureau("310115"),
            json!({"reason": "x"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    for bad in [
        "/v1/signals?status=closed",
        "/v1/signals?limit=500",
        "/v1/signals?district=999999",
    ] {
        assert_eq!(
            app.get(bad, &app.regulator()).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}"
        );
    }
    assert_eq!(
        app.get("/v1/signals?colour=red", &app.regulator())
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn merge_and_split_move_reports_and_are_audited_and_announced() {
    let app = spawn_app().await;
    let ids = three_signals(&app).await;
    let (target, source) = (&ids[0], &ids[2]);
    let response = app
        .post(
            &format!("/v1/signals/{target}/merge"),
            &app.regulator(),
            json!({"signal_ids": [source], "reason": "同一批次产品"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let merged = app
        .json(&format!("/v1/signals/{target}"), &app.regulator())
        .await;
    assert_eq!(merged["report_count"], 2);
    let last = &merged["history"]
        .as_array()
        .expect("history")
        .last()
        .cloned()
        .expect("action");
    assert_eq!(last["action"], "merged");
    assert_eq!(last["by"], "regulator-1");
    assert_eq!(last["reason"], "同一批次产品");
    let gone = app
        .json(&format!("/v1/signals/{source}"), &app.regulator())
        .await;
    assert_eq!(gone["status"], "merged");
    let again = app
        .post(
            &format!("/v1/signals/{target}/merge"),
            &app.regulator(),
            json!({"signal_ids": [source], "reason": "again"}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let moved = merged["report_ids"][1].clone();
    let response = app
        .post(
            &format!("/v1/signals/{target}/split"),
            &app.regulator(),
            json!({"report_ids": [moved], "reason": "不同风险"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let new: Value = response.json().await.expect("json");
    assert_eq!(new["origin"], "manual");
    assert_eq!(new["report_count"], 1);
    let left = app
        .json(&format!("/v1/signals/{target}"), &app.regulator())
        .await;
    assert_eq!(left["report_count"], 1);
    let all = left["report_ids"].clone();
    let response = app
        .post(
            &format!("/v1/signals/{target}/split"),
            &app.regulator(),
            json!({"report_ids": all, "reason": "x"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let stranger = Uuid::now_v7();
    let response = app
        .post(
            &format!("/v1/signals/{target}/split"),
            &app.regulator(),
            json!({"report_ids": [stranger], "reason": "x"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let changes: Vec<String> = app
        .announced_at_least(v1::SIGNAL_UPDATED, 3)
        .await
        .iter()
        .filter_map(|e| {
            Some(format!(
                "{}:{}",
                e["data"]["change"].as_str()?,
                e["data"]["by"].as_str()?
            ))
        })
        .collect();
    assert_eq!(
        changes,
        [
            "merged:regulator-1",
            "merged:regulator-1",
            "split:regulator-1"
        ]
    );
    assert_eq!(app.announced_at_least(v1::SIGNAL_OPENED, 4).await.len(), 4);
}

#[tokio::test]
async fn reclassify_escalate_and_dismiss_are_audited_and_announced() {
    let app = spawn_app().await;
    let ids = three_signals(&app).await;
    let regulator = app.regulator();
    let path = |id: &str, action: &str| format!("/v1/signals/{id}/{action}");

    let response = app
        .post(
            &path(&ids[1], "reclassify"),
            &regulator,
            json!({"category": "smart_home", "reason": "智能电吹风"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .post(
            &path(&ids[1], "reclassify"),
            &regulator,
            json!({"category": "nope", "reason": "x"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let response = app
        .post(
            &path(&ids[0], "escalate"),
            &regulator,
            json!({"level": "serious", "reason": "多地出现"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .post(
            &path(&ids[0], "escalate"),
            &regulator,
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    let response = app
        .post(
            &path(&ids[2], "dismiss"),
            &regulator,
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = app
        .post(
            &path(&ids[2], "dismiss"),
            &regulator,
            json!({"reason": "检测合格，误报"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .post(
            &path(&ids[2], "dismiss"),
            &regulator,
            json!({"reason": "again"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CONFLICT);

    let reclassified = app.announced(v1::SIGNAL_UPDATED).await;
    assert_eq!(reclassified[0]["data"]["change"], "reclassified");
    assert_eq!(reclassified[0]["data"]["signal"]["category"], "smart_home");
    let escalated = app.announced(v1::SIGNAL_ESCALATED).await;
    assert_eq!(escalated[0]["data"]["by"], "regulator-1");
    assert_eq!(escalated[0]["data"]["level"], "serious");
    let dismissed = app.announced(v1::SIGNAL_DISMISSED).await;
    assert_eq!(dismissed[0]["data"]["reason"], "检测合格，误报");
    let detail = app
        .json(&format!("/v1/signals/{}", ids[2]), &regulator)
        .await;
    let last = detail["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .expect("action");
    assert_eq!(
        (last["action"].as_str(), last["by"].as_str()),
        (Some("dismissed"), Some("regulator-1"))
    );

    let expert = app.keys.token("expert-1", &["expert"]);
    let response = app
        .post(&path(&ids[1], "dismiss"), &expert, json!({"reason": "x"}))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}
