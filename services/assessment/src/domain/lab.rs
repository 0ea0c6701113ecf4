//! Laboratory assessment (实验评估): a test result per indicator against a standard's
//! requirement, e.g. GB 6675.4 for the migration of heavy metals from toys.

use prism_platform::http::{FieldError, Text};
use serde::Deserialize;

use super::field;

/// A result as an expert or regulator sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLabResult {
    /// What was measured (检验项目), e.g. "可迁移元素 铅".
    #[serde(default)]
    pub indicator: Option<String>,
    /// The standard and clause, e.g. "GB 6675.4-2014 5.2".
    #[serde(default)]
    pub standard: Option<String>,
    /// What the standard requires, e.g. "≤ 90 mg/kg".
    #[serde(default)]
    pub requirement: Option<String>,
    /// The measured value with its unit, e.g. "152 mg/kg".
    #[serde(default)]
    pub measured: Option<String>,
    /// Whether the sample met the requirement.
    #[serde(default)]
    pub passed: Option<bool>,
    /// Whether the indicator concerns safety (a failed one is shown beside the experts'
    /// scores); defaults to true, since the indicators a risk case tests are mostly so.
    #[serde(default)]
    pub safety: Option<bool>,
    /// The testing laboratory (检验机构).
    #[serde(default)]
    pub laboratory: Option<String>,
    /// Where the signed test report is kept (an attachment reference or report number).
    #[serde(default)]
    pub report_ref: Option<String>,
}

/// A result that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidLabResult {
    pub indicator: String,
    pub standard: String,
    pub requirement: String,
    pub measured: String,
    pub passed: bool,
    pub safety: bool,
    pub laboratory: String,
    pub report_ref: Option<String>,
}

impl NewLabResult {
    /// Every problem, each naming its field.
    pub fn validate(self) -> Result<ValidLabResult, Vec<FieldError>> {
        let mut errors = Vec::new();
        let indicator = keep(
            &mut errors,
            field::required("indicator", self.indicator.as_deref(), 200),
        );
        let standard = keep(
            &mut errors,
            field::required("standard", self.standard.as_deref(), 100),
        );
        let requirement = keep(
            &mut errors,
            field::required("requirement", self.requirement.as_deref(), 500),
        );
        let measured = keep(
            &mut errors,
            field::required("measured", self.measured.as_deref(), 200),
        );
        let laboratory = keep(
            &mut errors,
            field::required("laboratory", self.laboratory.as_deref(), 200),
        );
        let report_ref = keep(
            &mut errors,
            field::optional("report_ref", self.report_ref.as_deref(), 500),
        )
        .flatten();
        if self.passed.is_none() {
            errors.push(FieldError::new(
                "passed",
                Text::new("passed 须为 true 或 false", "passed must be true or false"),
            ));
        }
        match (
            indicator,
            standard,
            requirement,
            measured,
            laboratory,
            self.passed,
        ) {
            (
                Some(indicator),
                Some(standard),
                Some(requirement),
                Some(measured),
                Some(laboratory),
                Some(passed),
            ) if errors.is_empty() => Ok(ValidLabResult {
                indicator,
                standard,
                requirement,
                measured,
                passed,
                safety: self.safety.unwrap_or(true),
                laboratory,
                report_ref,
            }),
            _ => Err(errors),
        }
    }
}

/// The value, or `None` with its error collected.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|error| errors.push(error)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_result_names_every_missing_field() {
        let new = NewLabResult {
            indicator: Some("可迁移元素 铅".to_owned()),
            standard: None,
            requirement: Some("≤ 90 mg/kg".to_owned()),
            measured: Some(" ".to_owned()),
            passed: None,
            safety: None,
            laboratory: None,
            report_ref: None,
        };
        let fields: Vec<_> = new
            .validate()
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["standard", "measured", "laboratory", "passed"]);
    }
}
