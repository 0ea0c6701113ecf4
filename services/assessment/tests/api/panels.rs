//! Panels are drawn at random from qualified, independent experts, and experts see only
//! their cases.

use assessment::domain::panel::{self, Candidate, CaseParties};
use chrono::Utc;
use prism_contracts::{events::assessment::ExpertsAssigned, subjects::v1, Envelope};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{alert, settings, spawn_app, TestApp};

/// The pool of these tests: three independent toy experts, one from the reporting station,
/// one from an involved enterprise, one who knows only appliances.
async fn pool(app: &TestApp) {
    app.expert("exp-a", &["children_products"], &[]).await;
    app.expert("exp-b", &["children_products", "household_appliances"], &[])
        .await;
    app.expert("exp-c", &["children_products"], &["复旦大学"])
        .await;
    app.expert("exp-station", &["children_products"], &["SH-TI-001"])
        .await;
    app.expert("exp-maker", &["children_products"], &["好孩子玩具有限公司"])
        .await;
    app.expert("exp-kettle", &["household_appliances"], &[])
        .await;
}

/// A case opened by an alert from station SH-TI-001; returns its id.
async fn alert_case(app: &TestApp) -> String {
    let last = app
        .publish(&Envelope::new("triage", alert(Utc::now())), "alert")
        .await;
    app.alerts_handled_up_to(last).await;
    let list = app.json("/v1/cases", &app.regulator()).await;
    list["items"][0]["id"].as_str().expect("a case").to_owned()
}

fn experts(panel: &Value) -> Vec<String> {
    let ids = panel["experts"].as_array().cloned().unwrap_or_default();
    ids.iter()
        .filter_map(|e| e.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_seeded_draw_excludes_the_reporting_station_and_involved_enterprises() {
    let app = spawn_app(settings()).await;
    pool(&app).await;
    let case = alert_case(&app).await;

    let (status, drawn) = app
        .assign(
            &case,
            json!({"size": 3, "enterprises": ["好孩子玩具有限公司"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let mut panel = experts(&drawn);
    assert_eq!(drawn["seed"], "20261121");
    // Anyone can replay the draw from the pool and the published seed.
    let candidates: Vec<Candidate> = app.json("/v1/experts", &app.regulator()).await["items"]
        .as_array()
        .expect("experts")
        .iter()
        .map(|e| Candidate {
            id: e["id"].as_str().unwrap_or_default().to_owned(),
            specialties: serde_json::from_value(e["specialties"].clone()).unwrap_or_default(),
            affiliations: serde_json::from_value(e["affiliations"].clone()).unwrap_or_default(),
        })
        .collect();
    let case_view = app
        .json(&format!("/v1/cases/{case}"), &app.regulator())
        .await;
    let mut parties: Vec<String> =
        serde_json::from_value(case_view["stations"].clone()).expect("stations");
    parties.extend(
        serde_json::from_value::<Vec<String>>(case_view["enterprises"].clone())
            .expect("enterprises"),
    );
    assert!(parties.contains(&"SH-TI-001".to_owned()), "{parties:?}");
    let replay = panel::draw(
        &candidates,
        &CaseParties {
            category: Some("children_products".to_owned()),
            parties,
        },
        3,
        20261121,
    )
    .expect("replay");
    assert_eq!(panel, replay);
    panel.sort();
    assert_eq!(panel, ["exp-a", "exp-b", "exp-c"]);
    assert_eq!(case_view["panel"], json!(replay));

    let event: Envelope<ExpertsAssigned> = app.last_event(v1::EXPERTS_ASSIGNED).await;
    assert_eq!(event.data.experts, replay);
    assert_eq!(event.data.case_id.to_string(), case);
    assert_eq!(event.data.assigned_by, "reg-1");

    // One panel per case; a shortfall is a conflict, a one-person panel no panel at all.
    let (status, problem) = app.assign(&case, json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::CONFLICT, Some("panel_exists"))
    );
    let other = app.case().await;
    let (status, problem) = app.assign(&other, json!({"size": 6})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::CONFLICT, Some("not_enough_experts"))
    );
    let (status, problem) = app.assign(&other, json!({"size": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "size");
}

#[tokio::test]
async fn an_expert_sees_only_the_cases_on_their_panel() {
    let app = spawn_app(settings()).await;
    app.expert("exp-a", &["children_products"], &[]).await;
    app.expert("exp-b", &["children_products"], &[]).await;
    app.expert("exp-z", &["household_appliances"], &[]).await;
    let theirs = app.case().await;
    let other = app.case().await;
    let (status, _) = app.assign(&theirs, json!({})).await;
    assert_eq!(status, StatusCode::CREATED);

    let a = app.keys.token("exp-a", &["expert"]);
    let list = app.json("/v1/cases", &a).await;
    let ids: Vec<_> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [theirs.as_str()]);
    assert_eq!(
        app.get(&format!("/v1/cases/{theirs}"), &a).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/v1/cases/{other}"), &a).await.status(),
        StatusCode::NOT_FOUND
    );
    let z = app.keys.token("exp-z", &["expert"]);
    assert_eq!(app.json("/v1/cases", &z).await["items"], json!([]));
    assert_eq!(
        app.get(&format!("/v1/cases/{theirs}/assignment"), &z)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn only_admins_keep_the_pool_and_an_expert_id_is_taken_once() {
    let app = spawn_app(settings()).await;
    app.expert("exp-a", &["children_products"], &[]).await;
    let admin = app.keys.token("admin-1", &["admin"]);
    let again = json!({"id": "exp-a", "name": "王", "specialties": ["children_products"]});
    let response = app.post("/v1/experts", &admin, again.clone()).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let bad = json!({"id": " ", "name": "王", "specialties": []});
    let response = app.post("/v1/experts", &admin, bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    assert_eq!(problem["errors"][0]["field"], "id");
    assert_eq!(problem["errors"][1]["field"], "specialties");
    for role in ["regulator", "expert", "publisher"] {
        let token = app.keys.token("someone", &[role]);
        let response = app.post("/v1/experts", &token, again.clone()).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{role}");
    }
    for role in ["expert", "publisher"] {
        let token = app.keys.token("someone", &[role]);
        assert_eq!(
            app.get("/v1/experts", &token).await.status(),
            StatusCode::FORBIDDEN
        );
    }
}
