//! Experts score by the EU method; lab results sit beside the scores; the computed level
//! binds the decision unless overridden with a reason.

use prism_contracts::{events::assessment::CaseAssessed, subjects::v1, Envelope, RiskLevel};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{settings, spawn_app, TestApp};

/// A hand-opened case with experts `exp-a` and `exp-b` on its panel (the only two).
async fn scored_case(app: &TestApp) -> String {
    app.expert("exp-a", &["children_products"], &[]).await;
    app.expert("exp-b", &["children_products"], &[]).await;
    let case = app.case().await;
    let (status, _) = app.assign(&case, json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    case
}

/// The guidelines' folding chair: 1 × 1/50 × 1/10 = 1/500 at severity `severity`.
fn folding_chair(severity: i64) -> Value {
    json!({"injured": "成人使用者", "hazard": "crushing",
           "scenario": "展开折叠椅时误握座椅后角，手指被夹",
           "steps": [{"description": "展开椅子", "probability": 1},
                     {"description": "误握座椅后角", "probability": 0.02},
                     {"description": "手指被夹在座椅与靠背之间", "probability": 0.1}],
           "severity": severity, "rationale": "2010/15/EU 附件示例 6.1"})
}

#[tokio::test]
async fn the_case_level_is_the_highest_scenario_with_disagreement_and_sensitivity_shown() {
    let app = spawn_app(settings()).await;
    let case = scored_case(&app).await;
    let (a, b) = (
        app.keys.token("exp-a", &["expert"]),
        app.keys.token("exp-b", &["expert"]),
    );
    let scores = format!("/v1/cases/{case}/scores");
    let response = app.post(&scores, &a, folding_chair(1)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let low: Value = response.json().await.expect("json");
    assert_eq!(low["level"], "low", "the folding chair is a low risk");
    assert!((low["probability"].as_f64().expect("p") - 0.002).abs() < 1e-12);
    let assessed: Envelope<CaseAssessed> = app.last_event(v1::CASE_ASSESSED).await;
    assert_eq!(
        (assessed.data.level, assessed.data.disagreement),
        (Some(RiskLevel::Low), false)
    );

    let response = app.post(&scores, &b, folding_chair(2)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let view = app
        .json(&format!("/v1/cases/{case}"), &app.regulator())
        .await;
    let summary = &view["assessment"]["summary"];
    assert_eq!(summary["level"], "high");
    assert_eq!(summary["disagreement"], true);
    assert_eq!(
        summary["experts"],
        json!([{"expert_id": "exp-a", "level": "low", "scenarios": 1},
               {"expert_id": "exp-b", "level": "high", "scenarios": 1}])
    );
    assert_eq!(
        summary["sensitivity"],
        json!({"lower": "medium", "level": "high", "higher": "serious"})
    );
    let assessed: Envelope<CaseAssessed> = app.last_event(v1::CASE_ASSESSED).await;
    assert_eq!(
        (
            assessed.data.level,
            assessed.data.disagreement,
            assessed.data.assessed_by.as_str()
        ),
        (Some(RiskLevel::High), true, "exp-b")
    );

    // Expert a changes their own scenario; b's is not a's to change.
    let own = format!("{scores}/{}", low["id"].as_str().expect("id"));
    let response = app
        .client
        .put(format!("{}{own}", app.address))
        .bearer_auth(&a)
        .json(&folding_chair(2))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::OK);
    let response = app
        .client
        .put(format!("{}{own}", app.address))
        .bearer_auth(&b)
        .json(&folding_chair(4))
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let summary = app.json(&format!("/v1/cases/{case}/assessment"), &b).await["summary"].clone();
    assert_eq!(
        (summary["level"].as_str(), summary["disagreement"].as_bool()),
        (Some("high"), Some(false))
    );
}

#[tokio::test]
async fn an_expert_cannot_score_a_case_off_their_panel_nor_with_impossible_numbers() {
    let app = spawn_app(settings()).await;
    let case = scored_case(&app).await;
    app.expert("exp-c", &["children_products"], &[]).await;
    let outsider = app.keys.token("exp-c", &["expert"]);
    let scores = format!("/v1/cases/{case}/scores");
    assert_eq!(
        app.post(&scores, &outsider, folding_chair(1))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.post(&scores, &app.regulator(), folding_chair(1))
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "regulators decide; they do not score"
    );
    let a = app.keys.token("exp-a", &["expert"]);
    let mut bad = folding_chair(5);
    bad["steps"][1]["probability"] = json!(1.5);
    bad["steps"][2]["probability"] = json!(0);
    let response = app.post(&scores, &a, bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["steps[1].probability", "steps[2].probability", "severity"]
    );
    assert_eq!(
        app.json(&format!("/v1/cases/{case}/assessment"), &a).await["scores"],
        json!([])
    );
}

#[tokio::test]
async fn a_failed_safety_indicator_is_shown_beside_the_scores() {
    let app = spawn_app(settings()).await;
    let case = scored_case(&app).await;
    let a = app.keys.token("exp-a", &["expert"]);
    let results = format!("/v1/cases/{case}/lab-results");
    let lead = json!({"indicator": "可迁移元素 铅", "standard": "GB 6675.4-2014",
                      "requirement": "≤ 90 mg/kg", "measured": "152 mg/kg", "passed": false,
                      "laboratory": "上海市质量监督检验技术研究院", "report_ref": "SQI-2026-0412"});
    assert_eq!(
        app.post(&results, &a, lead).await.status(),
        StatusCode::CREATED
    );
    let label = json!({"indicator": "警示标识", "standard": "GB 6675.1-2014", "requirement": "中文警示语",
                       "measured": "缺失", "passed": false, "safety": false, "laboratory": "同上"});
    assert_eq!(
        app.post(&results, &app.regulator(), label).await.status(),
        StatusCode::CREATED
    );
    let ok = json!({"indicator": "锐利边缘", "standard": "GB 6675.2-2014", "requirement": "无锐利边缘",
                    "measured": "未发现", "passed": true, "laboratory": "同上"});
    assert_eq!(
        app.post(&results, &a, ok).await.status(),
        StatusCode::CREATED
    );
    app.post(&format!("/v1/cases/{case}/scores"), &a, folding_chair(1))
        .await;

    let view = app
        .json(&format!("/v1/cases/{case}"), &app.regulator())
        .await;
    let assessment = &view["assessment"];
    assert_eq!(assessment["lab_results"].as_array().map(Vec::len), Some(3));
    let failed = assessment["failed_safety_indicators"]
        .as_array()
        .expect("failed");
    assert_eq!(failed.len(), 1, "only the failed safety indicator");
    assert_eq!(failed[0]["indicator"], "可迁移元素 铅");
    assert_eq!(failed[0]["report_ref"], "SQI-2026-0412");
    assert_eq!(assessment["summary"]["level"], "low");

    let response = app
        .post(&results, &a, json!({"indicator": "铅", "passed": "no"}))
        .await;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "passed is a boolean"
    );
    let response = app.post(&results, &a, json!({"indicator": "铅"})).await;
    let problem: Value = response.json().await.expect("json");
    let fields: Vec<_> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "standard",
            "requirement",
            "measured",
            "laboratory",
            "passed"
        ]
    );
}

#[tokio::test]
async fn a_decision_records_the_computed_level_or_an_override_with_a_reason() {
    let app = spawn_app(settings()).await;
    let case = scored_case(&app).await;
    let a = app.keys.token("exp-a", &["expert"]);
    app.post(&format!("/v1/cases/{case}/scores"), &a, folding_chair(2))
        .await;
    let decisions = format!("/v1/cases/{case}/decisions");

    let response = app
        .post(
            &decisions,
            &app.regulator(),
            json!({"risk_level": "low", "measures": ["supervision_spot_check"]}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "override_reason");

    let computed = json!({"measures": ["stop_sales", "recall"], "responsible": "浦东新区市场监管局",
                          "act_by": "2099-01-31T17:00:00+08:00"});
    let response = app.post(&decisions, &app.regulator(), computed).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let override_ = json!({"risk_level": "medium", "override_reason": "企业已主动召回，市场存量极少",
                           "measures": ["supervision_spot_check"]});
    assert_eq!(
        app.post(&decisions, &app.regulator(), override_)
            .await
            .status(),
        StatusCode::CREATED
    );
    let versions = app.json(&decisions, &app.regulator()).await;
    let summary: Vec<_> = versions
        .as_array()
        .expect("versions")
        .iter()
        .map(|d| {
            (
                d["version"].as_i64(),
                d["risk_level"].as_str(),
                d["computed_level"].as_str(),
                d["override_reason"].as_str(),
                d["decided_by"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (Some(1), Some("high"), Some("high"), None, Some("reg-1")),
            (
                Some(2),
                Some("medium"),
                Some("high"),
                Some("企业已主动召回，市场存量极少"),
                Some("reg-1")
            ),
        ]
    );
    assert_eq!(versions[0]["act_by"], "2099-01-31T09:00:00Z");
}
