//! Regulators decide; decisions are versioned and announced.

use assessment::config::AssessmentSettings;
use prism_contracts::{
    events::assessment::{CaseOpened, DecisionRecorded},
    subjects::v1,
    Envelope, RiskLevel,
};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{decision, spawn_app};

#[tokio::test]
async fn a_regulators_decision_with_a_warning_is_announced_on_the_assessment_stream() {
    let app = spawn_app(AssessmentSettings::default()).await;
    let id = app.case().await;
    let opened: Envelope<CaseOpened> = app.last_event(v1::CASE_OPENED).await;
    let response = app
        .post(
            &format!("/v1/cases/{id}/decisions"),
            &app.regulator(),
            decision("serious"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let recorded: Value = response.json().await.expect("json");
    assert_eq!(recorded["version"], 1);

    let event: Envelope<DecisionRecorded> = app.last_event(v1::DECISION_RECORDED).await;
    let decided = event.data;
    assert_eq!(decided.case_id.to_string(), id);
    assert_eq!(
        (decided.version, decided.risk_level),
        (1, RiskLevel::Serious)
    );
    assert_eq!(decided.measures, ["recall", "risk_warning"]);
    assert_eq!(
        (decided.product.as_str(), decided.districts.as_slice()),
        ("儿童电动滑板车", &["310115".to_owned()][..])
    );
    assert_eq!(decided.report_ids, opened.data.report_ids);
    assert_eq!(decided.decided_by, "reg-1");
    let warning = decided.warning.expect("warning text");
    assert_eq!(warning.title_zh, "儿童电动滑板车起火风险警示");
    assert_eq!(
        warning.title_en.as_deref(),
        Some("Fire risk of children's e-scooters")
    );
    assert_eq!(
        event.correlation_id, opened.correlation_id,
        "the decision continues the case's chain"
    );
}

#[tokio::test]
async fn decisions_are_versioned_and_a_change_is_a_new_version() {
    let app = spawn_app(AssessmentSettings::default()).await;
    let id = app.case().await;
    let path = format!("/v1/cases/{id}/decisions");
    assert_eq!(
        app.post(&path, &app.regulator(), decision("high"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let change = json!({"risk_level": "medium", "measures": ["supervision_spot_check"]});
    assert_eq!(
        app.post(&path, &app.regulator(), change).await.status(),
        StatusCode::CREATED
    );

    let versions = app.json(&path, &app.regulator()).await;
    let versions = versions.as_array().expect("versions");
    let summary: Vec<_> = versions
        .iter()
        .map(|d| (d["version"].as_i64(), d["risk_level"].as_str()))
        .collect();
    assert_eq!(
        summary,
        [(Some(1), Some("high")), (Some(2), Some("medium"))]
    );
    assert_eq!(
        versions[0]["warning"]["advice_zh"], "立即停止使用",
        "the first version is kept as it was"
    );
    assert!(versions[1]["warning"].is_null());
    assert_eq!(
        app.json(&format!("/v1/cases/{id}"), &app.regulator()).await["status"],
        "decided"
    );
    let decided = app.json("/v1/cases?status=decided", &app.regulator()).await;
    assert_eq!(decided["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn bad_input_names_the_field_in_the_callers_language() {
    let app = spawn_app(AssessmentSettings::default()).await;
    let send = |path: &str, body: Value| {
        let request = app
            .client
            .post(format!("{}{path}", app.address))
            .bearer_auth(app.regulator());
        request.header("Accept-Language", "en").json(&body).send()
    };
    let fields = |problem: &Value| -> Vec<String> {
        let errors = problem["errors"].as_array().cloned().unwrap_or_default();
        errors
            .iter()
            .filter_map(|e| e["field"].as_str().map(str::to_owned))
            .collect()
    };

    let response = send(
        "/v1/cases",
        json!({"product": " ", "districts": ["999999"]}),
    )
    .await
    .expect("request");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["code"], "validation_failed");
    assert_eq!(fields(&problem), ["product", "districts[0]"]);
    assert!(problem["errors"][1]["message"]
        .as_str()
        .is_some_and(|m| m.contains("unknown district")));

    let id = app.case().await;
    let bad = json!({"risk_level": "extreme", "measures": ["bury_it"], "act_by": "soon",
                     "warning": {"title_zh": "警示", "summary_zh": "摘要"}});
    let problem: Value = send(&format!("/v1/cases/{id}/decisions"), bad)
        .await
        .expect("r")
        .json()
        .await
        .expect("json");
    assert_eq!(
        fields(&problem),
        ["risk_level", "act_by", "warning.advice_zh", "measures[0]"]
    );

    // An unknown field is a 400 naming it, in Chinese by default.
    let response = app
        .post(
            "/v1/cases",
            &app.regulator(),
            json!({"product": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(fields(&problem), ["colour"]);
    assert!(problem["detail"]
        .as_str()
        .is_some_and(|d| d.contains("未知字段")));

    let response = app.get("/v1/cases?status=closed", &app.regulator()).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/v1/cases?colour=red", &app.regulator())
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let versions = app
        .json(&format!("/v1/cases/{id}/decisions"), &app.regulator())
        .await;
    assert_eq!(versions, json!([]), "nothing invalid was recorded");
}
