//! A regulator's decision on a case (风险处置): risk level, disposal measures, and the text
//! of a public warning when one is wanted.

use chrono::{DateTime, Utc};
use prism_contracts::{events::assessment::WarningDraftText, RiskLevel};
use prism_platform::http::{FieldError, Text};
use serde::{Deserialize, Serialize};

use super::field;

/// The disposal measures the seeds name (DOMAIN.md "Disposal"), in their wire names.
pub const MEASURES: [&str; 10] = [
    "supervision_spot_check",
    "enforcement_inspection",
    "special_rectification",
    "stop_sales",
    "warning",
    "recall",
    "harmless_treatment",
    "destruction",
    "stop_production",
    "risk_warning",
];

/// The measure that publishes a warning to the public (风险警示).
pub const PUBLIC_WARNING: &str = "risk_warning";

/// A decision as a regulator sends it. Fields are optional or strings to serde so that a
/// missing or unknown value is a 422 naming the field.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDecision {
    /// `low`, `medium`, `high` or `serious`; left out, the level computed from the experts'
    /// scores (required while there are none).
    #[serde(default)]
    pub risk_level: Option<String>,
    /// Why the level differs from the one computed from experts' scores.
    #[serde(default)]
    pub override_reason: Option<String>,
    /// At least one of [`MEASURES`].
    #[serde(default)]
    pub measures: Vec<String>,
    /// Who carries the measures out (责任单位).
    #[serde(default)]
    pub responsible: Option<String>,
    /// When the measures are due, RFC 3339.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub act_by: Option<String>,
    /// The public warning to draft; required with the `risk_warning` measure.
    #[serde(default)]
    pub warning: Option<WarningText>,
}

/// The text of the warning a decision asks for: Chinese required, English optional.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningText {
    #[serde(default)]
    pub title_zh: Option<String>,
    #[serde(default)]
    pub summary_zh: Option<String>,
    #[serde(default)]
    pub advice_zh: Option<String>,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub summary_en: Option<String>,
    #[serde(default)]
    pub advice_en: Option<String>,
}

/// A decision that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidDecision {
    pub risk_level: RiskLevel,
    /// The level experts' scores gave, when there are scores.
    pub computed_level: Option<RiskLevel>,
    pub override_reason: Option<String>,
    pub measures: Vec<String>,
    pub responsible: Option<String>,
    pub act_by: Option<DateTime<Utc>>,
    pub warning: Option<WarningDraftText>,
}

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 4000;

impl NewDecision {
    /// Every problem with the decision, each naming its field. `computed` is the level the
    /// case's scores give (`None` before any score); a different level needs a reason.
    pub fn validate(
        self,
        computed: Option<RiskLevel>,
        now: DateTime<Utc>,
    ) -> Result<ValidDecision, Vec<FieldError>> {
        let mut errors = Vec::new();
        // Left out, the level is the computed one (when experts have scored).
        let risk_level = match (self.risk_level.as_deref(), computed) {
            (None, Some(computed)) => Some(computed),
            (value, _) => keep(&mut errors, risk_level(value)),
        };
        let override_reason = keep(
            &mut errors,
            field::optional("override_reason", self.override_reason.as_deref(), BODY_MAX),
        )
        .flatten();
        let responsible = keep(
            &mut errors,
            field::optional("responsible", self.responsible.as_deref(), TITLE_MAX),
        )
        .flatten();
        let act_by = keep(&mut errors, act_by(self.act_by.as_deref(), now)).flatten();
        let warning = self
            .warning
            .and_then(|text| keep(&mut errors, text.validate()));
        if let (Some(level), Some(computed), None) = (risk_level, computed, &override_reason) {
            if level != computed {
                errors.push(FieldError::new(
                    "override_reason",
                    Text::owned(
                        format!(
                            "风险等级与评分结果（{}）不同，须说明理由",
                            computed.as_str()
                        ),
                        format!(
                            "the level differs from the scored one ({}): give a reason",
                            computed.as_str()
                        ),
                    ),
                ));
            }
        }
        errors.extend(check_measures(&self.measures));
        let warning_given =
            warning.is_some() || errors.iter().any(|e| e.field.starts_with("warning"));
        if self.measures.iter().any(|m| m == PUBLIC_WARNING) && !warning_given {
            errors.push(FieldError::new(
                "warning",
                Text::new(
                    "发布风险警示须提供警示文本",
                    "the risk_warning measure needs the warning's text",
                ),
            ));
        }
        match risk_level {
            Some(risk_level) if errors.is_empty() => Ok(ValidDecision {
                risk_level,
                computed_level: computed,
                override_reason,
                measures: self.measures,
                responsible,
                act_by,
                warning,
            }),
            _ => Err(errors),
        }
    }
}

impl WarningText {
    fn validate(self) -> Result<WarningDraftText, FieldError> {
        // One error at a time is enough here: the fields sit side by side in one form.
        Ok(WarningDraftText {
            title_zh: field::required("warning.title_zh", self.title_zh.as_deref(), TITLE_MAX)?,
            summary_zh: field::required(
                "warning.summary_zh",
                self.summary_zh.as_deref(),
                BODY_MAX,
            )?,
            advice_zh: field::required("warning.advice_zh", self.advice_zh.as_deref(), BODY_MAX)?,
            title_en: field::optional("warning.title_en", self.title_en.as_deref(), TITLE_MAX)?,
            summary_en: field::optional(
                "warning.summary_en",
                self.summary_en.as_deref(),
                BODY_MAX,
            )?,
            advice_en: field::optional("warning.advice_en", self.advice_en.as_deref(), BODY_MAX)?,
        })
    }
}

/// The value, or `None` with its error collected.
fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|error| errors.push(error)).ok()
}

fn risk_level(value: Option<&str>) -> Result<RiskLevel, FieldError> {
    value.and_then(RiskLevel::parse).ok_or_else(|| {
        FieldError::new(
            "risk_level",
            Text::new(
                "risk_level 须为 low、medium、high 或 serious",
                "risk_level must be low, medium, high or serious",
            ),
        )
    })
}

fn act_by(value: Option<&str>, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(value) = value else { return Ok(None) };
    let at = DateTime::parse_from_rfc3339(value).map_err(|_| {
        FieldError::new(
            "act_by",
            Text::new(
                "act_by 须为 RFC 3339 时间，如 2026-01-31T17:00:00+08:00",
                "act_by must be an RFC 3339 time, e.g. 2026-01-31T17:00:00+08:00",
            ),
        )
    })?;
    let at = at.with_timezone(&Utc);
    if at <= now {
        return Err(FieldError::new(
            "act_by",
            Text::new("act_by 须晚于当前时间", "act_by must be in the future"),
        ));
    }
    Ok(Some(at))
}

fn check_measures(measures: &[String]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if measures.is_empty() {
        errors.push(FieldError::new(
            "measures",
            Text::new("至少选择一项处置措施", "at least one measure is required"),
        ));
    }
    for (i, measure) in measures.iter().enumerate() {
        if !MEASURES.contains(&measure.as_str()) {
            errors.push(FieldError::new(
                format!("measures[{i}]"),
                Text::owned(
                    format!("未知的处置措施：{measure}；可选：{}", MEASURES.join("、")),
                    format!(
                        "unknown measure: {measure}; one of: {}",
                        MEASURES.join(", ")
                    ),
                ),
            ));
        } else if measures[..i].contains(measure) {
            errors.push(FieldError::new(
                format!("measures[{i}]"),
                Text::owned(
                    format!("重复的处置措施：{measure}"),
                    format!("duplicate measure: {measure}"),
                ),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests;
