//! Surges through the pipeline: a synthetic history of daily reports, then a burst.

use std::time::Duration;

use prism_test_support::eventually;
use serde_json::Value;

use crate::support::{days_ago, report, spawn_app};

#[tokio::test]
async fn a_burst_of_routine_reports_against_a_quiet_baseline_opens_a_surge_signal() {
    let app = spawn_app().await;
    // Four weeks of about one mask report every other day in Pudong and in Xuhui.
    for day in (2..=28).step_by(2) {
        for district in ["310115", "310104"] {
            let mut received = report("防尘口罩", &format!("第{day}天抽检：鼻夹松脱"), &[district]);
            received.received_at = days_ago(day);
            app.publish(received).await;
        }
    }
    // Today: six in Pudong, two in Xuhui, in different words.
    let texts = [
        "过滤效率不达标",
        "耳带断裂",
        "异味明显",
        "包装无生产日期",
        "密合性差",
        "呼吸阻力过大",
    ];
    for (i, text) in texts.iter().enumerate() {
        app.publish(report("口罩", text, &["310115"])).await;
        if i < 2 {
            app.publish(report("口罩", text, &["310104"])).await;
        }
    }
    let token = app.regulator();
    let surge = eventually("a surge signal", Duration::from_secs(30), || async {
        let page = app.json("/v1/signals?origin=surge", &token).await;
        let first = page["items"].as_array()?.first()?.clone();
        (first["report_count"].as_u64()? == 6).then_some(first)
    })
    .await;
    assert_eq!(surge["category"], "masks");
    assert_eq!(surge["districts"], serde_json::json!(["310115"]));
    let detail = app
        .json(
            &format!("/v1/signals/{}", surge["id"].as_str().expect("id")),
            &token,
        )
        .await;
    let surge_action = detail["history"]
        .as_array()
        .expect("history")
        .iter()
        .find(|a| a["action"] == "surge")
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(surge_action["detail"]["district"], "310115");
    assert!(
        surge_action["detail"]["baseline"]
            .as_f64()
            .expect("baseline")
            < 1.0
    );

    let page = app.json("/v1/signals?origin=surge", &token).await;
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(1),
        "no surge in Xuhui"
    );
}
