//! An expert's score (评分): one injury scenario of the EU method, its steps with their
//! probabilities, the severity of the injury, and the level the matrix gives.

use prism_contracts::RiskLevel;
use prism_platform::http::{FieldError, Text};
use serde::{Deserialize, Serialize};

use super::{
    field,
    risk::{self, Probability, Severity},
};

/// How many steps one scenario may have; the guidelines' examples use three to five.
const MAX_STEPS: usize = 20;
const TEXT_MAX: usize = 2000;

/// A scenario as an expert sends it. Numbers are `serde_json::Value`s so that a string or a
/// missing value is a 422 naming the field rather than a 400 about the body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScore {
    /// Who is hurt (受伤人群), e.g. "3–8 岁儿童".
    #[serde(default)]
    pub injured: Option<String>,
    /// The hazard, e.g. `fire`, `choking`.
    #[serde(default)]
    pub hazard: Option<String>,
    /// The injury scenario in a sentence or two.
    #[serde(default)]
    pub scenario: Option<String>,
    /// The steps from the hazard to the injury, each with its probability in (0, 1].
    #[serde(default)]
    pub steps: Vec<NewStep>,
    /// 1 to 4.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub severity: Option<serde_json::Value>,
    #[serde(default)]
    pub rationale: Option<String>,
}

/// One step of a scenario.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStep {
    #[serde(default)]
    pub description: Option<String>,
    /// In (0, 1], e.g. 0.02 for 1/50.
    #[serde(default)]
    #[schema(value_type = Option<f64>)]
    pub probability: Option<serde_json::Value>,
}

/// A step that passed the checks, as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Step {
    pub description: String,
    pub probability: f64,
}

/// A scenario that passed every check, with its overall probability and level.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidScore {
    pub injured: String,
    pub hazard: Option<String>,
    pub scenario: String,
    pub steps: Vec<Step>,
    pub probability: Probability,
    pub severity: Severity,
    pub level: RiskLevel,
    pub rationale: Option<String>,
}

impl NewScore {
    /// Every problem, each naming its field (`steps[1].probability`, `severity`, …).
    pub fn validate(self) -> Result<ValidScore, Vec<FieldError>> {
        let mut errors = Vec::new();
        let injured = keep(
            &mut errors,
            field::required("injured", self.injured.as_deref(), 200),
        );
        let hazard = keep(
            &mut errors,
            field::optional("hazard", self.hazard.as_deref(), 64),
        )
        .flatten();
        let scenario = keep(
            &mut errors,
            field::required("scenario", self.scenario.as_deref(), TEXT_MAX),
        );
        let rationale = keep(
            &mut errors,
            field::optional("rationale", self.rationale.as_deref(), TEXT_MAX),
        )
        .flatten();
        let (steps, probabilities) = check_steps(self.steps, &mut errors);
        let severity = self
            .severity
            .as_ref()
            .and_then(serde_json::Value::as_i64)
            .and_then(Severity::new);
        if severity.is_none() {
            errors.push(FieldError::new(
                "severity",
                Text::new(
                    "severity 须为 1 至 4 的整数",
                    "severity must be an integer from 1 to 4",
                ),
            ));
        }
        let probability = Probability::product(&probabilities);
        if probability.is_none() && !probabilities.is_empty() && errors.is_empty() {
            errors.push(FieldError::new(
                "steps",
                Text::new(
                    "总概率过小，无法计算",
                    "the overall probability is too small to compute",
                ),
            ));
        }
        match (injured, scenario, severity, probability) {
            (Some(injured), Some(scenario), Some(severity), Some(probability))
                if errors.is_empty() =>
            {
                Ok(ValidScore {
                    injured,
                    hazard,
                    scenario,
                    steps,
                    level: risk::level(severity, probability),
                    probability,
                    severity,
                    rationale,
                })
            }
            _ => Err(errors),
        }
    }
}

fn check_steps(new: Vec<NewStep>, errors: &mut Vec<FieldError>) -> (Vec<Step>, Vec<Probability>) {
    if new.is_empty() || new.len() > MAX_STEPS {
        errors.push(FieldError::new(
            "steps",
            Text::owned(
                format!("须有 1 至 {MAX_STEPS} 个步骤"),
                format!("a scenario has 1 to {MAX_STEPS} steps"),
            ),
        ));
        return (Vec::new(), Vec::new());
    }
    let mut steps = Vec::with_capacity(new.len());
    let mut probabilities = Vec::with_capacity(new.len());
    for (i, step) in new.into_iter().enumerate() {
        let name = format!("steps[{i}].description");
        let description = field::required(&name, step.description.as_deref(), 500)
            .map_err(|e| errors.push(e))
            .ok();
        let probability = step
            .probability
            .as_ref()
            .and_then(serde_json::Value::as_f64)
            .and_then(Probability::new);
        if probability.is_none() {
            errors.push(FieldError::new(
                format!("steps[{i}].probability"),
                Text::new(
                    "概率须为大于 0 且不大于 1 的数",
                    "a probability must be a number greater than 0 and at most 1",
                ),
            ));
        }
        if let (Some(description), Some(probability)) = (description, probability) {
            steps.push(Step {
                description,
                probability: probability.get(),
            });
            probabilities.push(probability);
        }
    }
    (steps, probabilities)
}

/// The value, or `None` with its error collected.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|error| errors.push(error)).ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn score(body: serde_json::Value) -> Result<ValidScore, Vec<String>> {
        let new: NewScore = serde_json::from_value(body).expect("shape");
        new.validate()
            .map_err(|errors| errors.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn the_folding_chair_scenario_scores_low() {
        let valid = score(json!({
            "injured": "成人", "scenario": "展开椅子时手指被夹",
            "steps": [{"description": "展开椅子", "probability": 1},
                      {"description": "误握座椅后角", "probability": 0.02},
                      {"description": "手指被夹", "probability": 0.1}],
            "severity": 1}))
        .expect("valid");
        assert!((valid.probability.get() - 0.002).abs() < 1e-12);
        assert_eq!(valid.level, RiskLevel::Low);
    }

    #[test]
    fn every_bad_number_is_named() {
        let errors = score(json!({
            "injured": " ", "scenario": "x",
            "steps": [{"description": "a", "probability": 0},
                      {"description": "b", "probability": 1.5},
                      {"description": "", "probability": "1/2"}],
            "severity": 5}))
        .expect_err("invalid");
        assert_eq!(
            errors,
            [
                "injured",
                "steps[0].probability",
                "steps[1].probability",
                "steps[2].description",
                "steps[2].probability",
                "severity"
            ]
        );
        assert_eq!(
            score(json!({"injured": "儿童", "scenario": "x", "steps": [], "severity": "2"}))
                .expect_err("no steps"),
            ["steps", "severity"]
        );
    }
}
