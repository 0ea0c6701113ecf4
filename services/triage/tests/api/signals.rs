//! Duplicates become one signal; an important signal escalates by itself.

use prism_contracts::{subjects::v1, ReportKind};
use serde_json::Value;

use crate::support::{report, spawn_app};

#[tokio::test]
async fn the_same_risk_from_two_stations_becomes_one_signal() {
    let app = spawn_app().await;
    let first = app
        .publish(report(
            "某品牌20000毫安充电宝",
            "该充电宝在充电过程中外壳鼓包并冒烟，存在起火风险",
            &["310115", "310104"],
        ))
        .await;
    let signal = app.signal_of(first).await;
    assert_eq!(signal["origin"], "single_report");
    let second = app
        .publish(report(
            "充电宝",
            "多名消费者反映该品牌20000毫安充电宝充电时鼓包、冒烟，有起火隐患",
            &["310115"],
        ))
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

    let opened = app.announced(v1::SIGNAL_OPENED).await;
    assert_eq!(opened.len(), 2);
    let updated = app.announced(v1::SIGNAL_UPDATED).await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0]["data"]["change"], "report_added");
    assert_eq!(updated[0]["data"]["signal"]["report_count"], 2);
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
