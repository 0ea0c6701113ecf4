//! Duplicates become one signal; an important signal escalates by itself.

use prism_contracts::{subjects::v1, ReportKind};
use serde_json::Value;

use crate::support::{report, spawn_app};

/// A power bank that swells and smokes, as one station tells it (product, text)...
const POWER_BANK: (&str, &str) = (
    "某品牌20000毫安充电宝",
    "该充电宝在充电过程中外壳鼓包并冒烟，存在起火风险",
);
/// ...and as another station tells the same risk in other words.
const POWER_BANK_AGAIN: (&str, &str) = (
    "充电宝",
    "多名消费者反映该品牌20000毫安充电宝充电时鼓包、冒烟，有起火隐患",
);

#[tokio::test]
async fn the_same_risk_from_two_stations_becomes_one_signal() {
    let app = spawn_app().await;
    let first = app
        .publish(report(POWER_BANK.0, POWER_BANK.1, &["310115", "310104"]))
        .await;
    let signal = app.signal_of(first).await;
    assert_eq!(signal["origin"], "single_report");
    let second = app
        .publish(report(POWER_BANK_AGAIN.0, POWER_BANK_AGAIN.1, &["310115"]))
        .await;
    let other = app
        .publish(report(
            "充电宝",
            "外包装标识不全，缺少生产日期",
            &["310115"],
        ))
        .await;
    app.classified(other).await;

    let joined = app.signal_of(second).await;
    assert_eq!(joined["id"], signal["id"]);
    assert_eq!(joined["origin"], "duplicates");
    assert_eq!(joined["report_count"], 2);
    assert_eq!(joined["districts"], serde_json::json!(["310104", "310115"]));
    let separate = app.signal_of(other).await;
    assert_ne!(separate["id"], signal["id"]);

    let opened = app.announced_at_least(v1::SIGNAL_OPENED, 2).await;
    assert_eq!(opened.len(), 2);
    let updated = app.announced_at_least(v1::SIGNAL_UPDATED, 1).await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["data"]["change"], "report_added");
    assert_eq!(updated[0]["data"]["signal"]["report_count"], 2);
}

/// Clustering finds earlier reports by category and district in an index of its own: a
/// person's reclassification must reach that index too.
#[tokio::test]
async fn a_reclassified_signal_no_longer_gathers_reports_of_its_former_category() {
    let app = spawn_app().await;
    let first = app
        .publish(report(POWER_BANK.0, POWER_BANK.1, &["310115", "310104"]))
        .await;
    let signal = app.signal_of(first).await;
    let id = signal["id"].as_str().expect("signal id");
    let response = app
        .post(
            &format!("/v1/signals/{id}/reclassify"),
            &app.regulator(),
            serde_json::json!({"category": "smart_home", "reason": "智能充电宝"}),
        )
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::OK);

    let second = app
        .publish(report(POWER_BANK_AGAIN.0, POWER_BANK_AGAIN.1, &["310104"]))
        .await;
    let other = app.signal_of(second).await;
    assert_ne!(other["id"], signal["id"]);
    assert_eq!(other["category"], signal["category"]);
    assert_eq!(other["report_count"], 1);
}

#[tokio::test]
async fn an_important_signal_escalates_by_itself() {
    let app = spawn_app().await;
    let mut received = report("儿童电动滑板车", "充电时起火，2名儿童受伤", &["310115"]);
    received.kind = ReportKind::Important;
    let id = app.publish(received).await;
    let signal = app.signal_of(id).await;
    assert_eq!(signal["important"], true);
    assert_eq!(signal["status"], "escalated");
    assert_eq!(signal["level"], "high");
    let history: Vec<&str> = signal["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    assert_eq!(history, ["opened", "escalated"]);
    assert_eq!(signal["history"][1]["by"], Value::Null);

    let escalated = app.announced(v1::SIGNAL_ESCALATED).await;
    assert_eq!(escalated.len(), 1);
    assert_eq!(escalated[0]["data"]["by"], Value::Null);
    assert_eq!(escalated[0]["data"]["level"], "high");
}

#[tokio::test]
async fn reports_of_one_risk_arriving_together_end_in_one_signal_with_every_report() {
    let app = spawn_app().await;
    // Sent back to back, so that clustering takes several of them in one batch: the later
    // ones must join the signal an earlier one of the same batch opened.
    // Duplicates share a district; together they cover four.
    let districts: [&[&str]; 5] = [
        &["310115"],
        &["310115", "310104"],
        &["310101", "310115"],
        &["310115"],
        &["310106", "310115"],
    ];
    let mut ids = Vec::new();
    for (i, districts) in districts.iter().enumerate() {
        let content = format!("第{i}批次电热水壶底座接线松动，烧水时底座发烫冒烟，存在起火风险");
        ids.push(app.publish(report("电热水壶", &content, districts)).await);
    }
    let signal = app.signal_of(ids[0]).await;
    for id in &ids[1..] {
        assert_eq!(app.signal_of(*id).await["id"], signal["id"]);
    }
    let token = app.regulator();
    let path = format!("/v1/signals/{}", signal["id"].as_str().expect("id"));
    let signal = prism_test_support::eventually(
        "all five reports in the signal",
        std::time::Duration::from_secs(20),
        || async {
            let detail = app.json(&path, &token).await;
            (detail["report_count"] == 5).then_some(detail)
        },
    )
    .await;
    assert_eq!(signal["origin"], "duplicates");
    assert_eq!(
        signal["districts"],
        serde_json::json!(["310101", "310104", "310106", "310115"])
    );
    let mut listed: Vec<&str> = signal["report_ids"]
        .as_array()
        .expect("report ids")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    listed.sort_unstable();
    let mut sent: Vec<String> = ids.iter().map(ToString::to_string).collect();
    sent.sort_unstable();
    assert_eq!(listed, sent);
    let added = signal["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|a| a["action"] == "report_added")
        .count();
    assert_eq!(added, 4, "one audit entry per report that joined");
    // Each announcement carries the signal as it then stood; the last one has all five.
    // Five reports in Pudong today against no history is also a surge: its own signal.
    let of_duplicates = |events: Vec<Value>| -> Vec<Value> {
        events
            .into_iter()
            .filter(|e| e["data"]["signal"]["origin"] != "surge")
            .collect()
    };
    let opened = of_duplicates(app.announced(v1::SIGNAL_OPENED).await);
    assert_eq!(opened.len(), 1);
    let updated = of_duplicates(app.announced(v1::SIGNAL_UPDATED).await);
    let last = updated.last().unwrap_or(&opened[0]);
    assert_eq!(last["data"]["signal"]["report_count"], 5);
    assert_eq!(
        last["data"]["signal"]["report_ids"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
}
