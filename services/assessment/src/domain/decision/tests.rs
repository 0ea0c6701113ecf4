//! The rules of a valid decision.

use super::*;

fn decision(level: &str, measures: &[&str]) -> NewDecision {
    NewDecision {
        risk_level: Some(level.to_owned()),
        override_reason: None,
        measures: measures.iter().map(|m| (*m).to_owned()).collect(),
        responsible: Some("浦东新区市场监管局".to_owned()),
        act_by: Some("2099-01-31T17:00:00+08:00".to_owned()),
        warning: None,
    }
}

fn warning() -> WarningText {
    WarningText {
        title_zh: Some("儿童电动滑板车电池起火风险警示".to_owned()),
        summary_zh: Some("部分产品电池鼓包起火".to_owned()),
        advice_zh: Some("立即停止使用并联系商家".to_owned()),
        title_en: None,
        summary_en: None,
        advice_en: None,
    }
}

fn fields(errors: Vec<FieldError>) -> Vec<String> {
    errors.into_iter().map(|e| e.field).collect()
}

#[test]
fn a_serious_risk_with_recall_and_a_public_warning_is_valid() {
    let mut new = decision("serious", &["recall", "risk_warning"]);
    new.warning = Some(warning());
    let valid = new.validate(None, Utc::now()).expect("valid");
    assert_eq!(valid.risk_level, RiskLevel::Serious);
    assert_eq!(
        valid.warning.map(|w| w.advice_zh).as_deref(),
        Some("立即停止使用并联系商家")
    );
}

#[test]
fn every_bad_field_is_named() {
    let mut new = decision("catastrophic", &["recall", "bury_it", "recall"]);
    new.act_by = Some("tomorrow".to_owned());
    new.responsible = Some(" ".to_owned());
    let errors = fields(new.validate(None, Utc::now()).expect_err("invalid"));
    assert_eq!(
        errors,
        [
            "risk_level",
            "responsible",
            "act_by",
            "measures[1]",
            "measures[2]"
        ]
    );
}

#[test]
fn a_public_warning_needs_its_text_and_the_text_needs_chinese() {
    let new = decision("high", &["risk_warning"]);
    assert_eq!(
        fields(new.validate(None, Utc::now()).expect_err("no text")),
        ["warning"]
    );
    let mut new = decision("high", &["risk_warning"]);
    new.warning = Some(WarningText {
        advice_zh: None,
        ..warning()
    });
    assert_eq!(
        fields(new.validate(None, Utc::now()).expect_err("no advice")),
        ["warning.advice_zh"]
    );
}

#[test]
fn overriding_the_scored_level_needs_a_reason() {
    let new = decision("low", &["supervision_spot_check"]);
    let errors = new
        .validate(Some(RiskLevel::High), Utc::now())
        .expect_err("no reason");
    assert_eq!(fields(errors), ["override_reason"]);
    let mut new = decision("low", &["supervision_spot_check"]);
    new.override_reason = Some("实验室复检合格".to_owned());
    assert!(new.validate(Some(RiskLevel::High), Utc::now()).is_ok());
}

#[test]
fn a_decision_names_at_least_one_measure_due_in_the_future() {
    let mut new = decision("medium", &[]);
    new.act_by = Some("2020-01-01T00:00:00Z".to_owned());
    assert_eq!(
        fields(new.validate(None, Utc::now()).expect_err("invalid")),
        ["act_by", "measures"]
    );
}

#[test]
fn a_decision_without_a_level_takes_the_computed_one_and_needs_one_without_scores() {
    let mut new = decision("low", &["supervision_spot_check"]);
    new.risk_level = None;
    let valid = new
        .validate(Some(RiskLevel::High), Utc::now())
        .expect("computed level");
    assert_eq!(
        (valid.risk_level, valid.computed_level),
        (RiskLevel::High, Some(RiskLevel::High))
    );
    let mut new = decision("low", &["supervision_spot_check"]);
    new.risk_level = None;
    assert_eq!(
        fields(new.validate(None, Utc::now()).expect_err("no level")),
        ["risk_level"]
    );
}
