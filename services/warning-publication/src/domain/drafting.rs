//! What makes a regulator's draft valid.

use chrono::{DateTime, FixedOffset, Utc};
use prism_contracts::RiskLevel;
use prism_platform::http::{FieldError, Text};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    district,
    warning::{is_category_code, Draft, TYPES},
};

const TITLE_MAX: usize = 200;
const BODY_MAX: usize = 5_000;
const DISTRICTS_MAX: usize = 50;
const REPORTS_MAX: usize = 1_000;

/// A regulator's draft as it arrives. Every field is optional here so that a missing one is
/// a 422 naming it, like any other invalid field, rather than a parse error.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWarning {
    /// `risk_warning`, `recall`, `spot_check` or `consumer_tip`.
    #[serde(rename = "type", default)]
    pub warning_type: Option<String>,
    #[serde(default)]
    pub title_zh: Option<String>,
    #[serde(default)]
    pub summary_zh: Option<String>,
    /// What the public should do (消费提示).
    #[serde(default)]
    pub advice_zh: Option<String>,
    #[serde(default)]
    pub title_en: Option<String>,
    #[serde(default)]
    pub summary_en: Option<String>,
    #[serde(default)]
    pub advice_en: Option<String>,
    /// `low`, `medium`, `high` or `serious`.
    #[serde(default)]
    pub level: Option<String>,
    /// Catalogue category code.
    #[serde(default)]
    pub category: Option<String>,
    /// GB/T 2260 codes: Shanghai's districts, or `310000` for the whole city.
    #[serde(default)]
    pub districts: Vec<String>,
    /// The reports the warning rests on.
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    /// When it takes effect; at publication when absent.
    #[serde(default)]
    pub effective_at: Option<DateTime<FixedOffset>>,
    /// When it stops applying; never when absent.
    #[serde(default)]
    pub expires_at: Option<DateTime<FixedOffset>>,
}

/// Trims a text; `None` when absent or blank, with an error when longer than `max`.
fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&String>,
    max: usize,
) -> Option<String> {
    let value = value
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())?;
    if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            Text::owned(
                format!("{field} 不能超过 {max} 个字符"),
                format!("{field} must be at most {max} characters"),
            ),
        ));
    }
    Some(value)
}

/// Like [`text`], but an absent or blank value is an error too.
fn required(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&String>,
    max: usize,
) -> Option<String> {
    let value = text(errors, field, value, max);
    if value.is_none() {
        errors.push(FieldError::new(
            field,
            Text::owned(format!("{field} 为必填项"), format!("{field} is required")),
        ));
    }
    value
}

impl NewWarning {
    /// Validates every field; all problems are reported at once, each naming its field.
    pub fn validate(self) -> Result<Draft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let warning_type = match self.warning_type.as_deref() {
            Some(t) if TYPES.contains(&t) => Some(t.to_owned()),
            _ => {
                errors.push(FieldError::new(
                    "type",
                    Text::owned(
                        format!("type 须为以下之一：{}", TYPES.join("、")),
                        format!("type must be one of: {}", TYPES.join(", ")),
                    ),
                ));
                None
            }
        };
        let title_zh = required(&mut errors, "title_zh", self.title_zh.as_ref(), TITLE_MAX);
        let summary_zh = required(
            &mut errors,
            "summary_zh",
            self.summary_zh.as_ref(),
            BODY_MAX,
        );
        let advice_zh = required(&mut errors, "advice_zh", self.advice_zh.as_ref(), BODY_MAX);
        let title_en = text(&mut errors, "title_en", self.title_en.as_ref(), TITLE_MAX);
        let summary_en = text(
            &mut errors,
            "summary_en",
            self.summary_en.as_ref(),
            BODY_MAX,
        );
        let advice_en = text(&mut errors, "advice_en", self.advice_en.as_ref(), BODY_MAX);
        let level = self.level.as_deref().and_then(RiskLevel::parse);
        if level.is_none() {
            errors.push(FieldError::new(
                "level",
                Text::new(
                    "level 须为 low、medium、high 或 serious",
                    "level must be low, medium, high or serious",
                ),
            ));
        }
        let category = text(&mut errors, "category", self.category.as_ref(), 64);
        if category.as_deref().is_some_and(|c| !is_category_code(c)) {
            errors.push(FieldError::new(
                "category",
                Text::new(
                    "category 须为目录中的类别代码",
                    "category must be a catalogue category code",
                ),
            ));
        }
        let districts = check_districts(&mut errors, self.districts);
        if self.report_ids.len() > REPORTS_MAX {
            errors.push(FieldError::new(
                "report_ids",
                Text::owned(
                    format!("report_ids 最多 {REPORTS_MAX} 个"),
                    format!("at most {REPORTS_MAX} report_ids"),
                ),
            ));
        }
        let effective_at = self.effective_at.map(|t| t.with_timezone(&Utc));
        let expires_at = self.expires_at.map(|t| t.with_timezone(&Utc));
        if let (Some(effective), Some(expires)) = (effective_at, expires_at) {
            if expires <= effective {
                errors.push(FieldError::new(
                    "expires_at",
                    Text::new(
                        "expires_at 须晚于 effective_at",
                        "expires_at must be after effective_at",
                    ),
                ));
            }
        }
        let mut report_ids = self.report_ids;
        dedup_in_order(&mut report_ids);
        match (warning_type, title_zh, summary_zh, advice_zh, level) {
            (
                Some(warning_type),
                Some(title_zh),
                Some(summary_zh),
                Some(advice_zh),
                Some(level),
            ) if errors.is_empty() => Ok(Draft {
                warning_type,
                title_zh,
                summary_zh,
                advice_zh,
                title_en,
                summary_en,
                advice_en,
                level,
                category,
                districts,
                case_id: None,
                report_ids,
                effective_at,
                expires_at,
            }),
            _ => Err(errors),
        }
    }
}

fn check_districts(errors: &mut Vec<FieldError>, mut districts: Vec<String>) -> Vec<String> {
    if districts.is_empty() {
        errors.push(FieldError::new(
            "districts",
            Text::new(
                "至少填写一个区（全市填 310000）",
                "at least one district is required (310000 for the whole city)",
            ),
        ));
    }
    if districts.len() > DISTRICTS_MAX {
        errors.push(FieldError::new(
            "districts",
            Text::owned(
                format!("涉及区域最多 {DISTRICTS_MAX} 个"),
                format!("at most {DISTRICTS_MAX} districts"),
            ),
        ));
    }
    for (i, code) in districts.iter().enumerate() {
        if !district::is_shanghai(code) {
            errors.push(FieldError::new(
                format!("districts[{i}]"),
                Text::owned(
                    format!("不是上海市的区划代码：{code}"),
                    format!("unknown district code: {code} (a Shanghai district or 310000)"),
                ),
            ));
        }
    }
    dedup_in_order(&mut districts);
    districts
}

/// Drops repeats, keeping the first of each.
fn dedup_in_order<T: PartialEq + Clone>(items: &mut Vec<T>) {
    let mut seen: Vec<T> = Vec::with_capacity(items.len());
    items.retain(|item| {
        if seen.contains(item) {
            false
        } else {
            seen.push(item.clone());
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(json: serde_json::Value) -> NewWarning {
        serde_json::from_value(json).expect("parses")
    }

    #[test]
    fn a_complete_draft_is_valid_and_trimmed() {
        let draft = new(serde_json::json!({
            "type": "consumer_tip", "title_zh": " 谨慎选购儿童滑板车 ", "summary_zh": "电池起火",
            "advice_zh": "勿整夜充电", "level": "high", "districts": ["310115", "310115", "310000"]
        }))
        .validate()
        .expect("valid");
        assert_eq!(draft.title_zh, "谨慎选购儿童滑板车");
        assert_eq!(draft.level, RiskLevel::High);
        assert_eq!(draft.districts, vec!["310115", "310000"]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let errors = new(serde_json::json!({
            "type": "rumour", "summary_zh": "x", "advice_zh": " ", "level": "extreme",
            "category": "Children Products", "districts": ["310115", "320000"]
        }))
        .validate()
        .expect_err("invalid");
        let fields: Vec<String> = errors.into_iter().map(|e| e.field).collect();
        for expected in [
            "type",
            "title_zh",
            "advice_zh",
            "level",
            "category",
            "districts[1]",
        ] {
            assert!(
                fields.contains(&expected.to_owned()),
                "{expected} missing from {fields:?}"
            );
        }
    }

    #[test]
    fn a_warning_cannot_expire_before_it_takes_effect() {
        let errors = new(serde_json::json!({
            "type": "recall", "title_zh": "t", "summary_zh": "s", "advice_zh": "a", "level": "low",
            "districts": ["310000"], "effective_at": "2026-12-01T00:00:00+08:00",
            "expires_at": "2026-11-30T00:00:00+08:00"
        }))
        .validate()
        .expect_err("invalid");
        assert_eq!(errors[0].field, "expires_at");
    }

    #[test]
    fn a_draft_needs_a_district() {
        let errors = new(serde_json::json!({
            "type": "recall", "title_zh": "t", "summary_zh": "s", "advice_zh": "a", "level": "low"
        }))
        .validate()
        .expect_err("invalid");
        assert_eq!(errors[0].field, "districts");
    }
}
