//! A case (案件): one risk under assessment, opened by an alert or by a regulator.

use prism_platform::http::{FieldError, Text};
use serde::Deserialize;
use uuid::Uuid;

use super::{district, field};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for a decision.
    Open,
    /// At least one decision recorded; later versions may still follow.
    Decided,
}

impl Status {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Decided => "decided",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "decided" => Some(Self::Decided),
            _ => None,
        }
    }
}

/// How many reports one case may gather.
const MAX_REPORTS: usize = 1000;

/// A regulator's request to open a case by hand. Every field is optional to serde so that a
/// missing one is a 422 naming it, like any other invalid field.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    /// 涉及产品.
    #[serde(default)]
    pub product: Option<String>,
    /// Catalogue category code, e.g. `children_products`.
    #[serde(default)]
    pub category: Option<String>,
    /// 涉及区域: GB/T 2260 codes; at least one.
    #[serde(default)]
    pub districts: Vec<String>,
    /// Reports the case is about (intake's report ids).
    #[serde(default)]
    pub report_ids: Vec<String>,
    /// Enterprises involved (涉及企业), by name: their experts are kept off the panel.
    #[serde(default)]
    pub enterprises: Vec<String>,
}

/// A case request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCase {
    pub product: String,
    pub category: Option<String>,
    pub districts: Vec<String>,
    pub report_ids: Vec<Uuid>,
    pub enterprises: Vec<String>,
}

impl NewCase {
    /// Every problem with the request, each naming its field. `scope` is the districts of a
    /// district bureau (`None` for the city bureau): it may open cases only for its own.
    pub fn validate(self, scope: Option<&[String]>) -> Result<ValidCase, Vec<FieldError>> {
        let mut errors = Vec::new();
        let product = field::required("product", self.product.as_deref(), 200)
            .map_err(|e| errors.push(e))
            .ok();
        let category = field::optional("category", self.category.as_deref(), 64)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        if category.as_deref().is_some_and(|c| !is_category_code(c)) {
            errors.push(FieldError::new(
                "category",
                Text::new(
                    "category 须为目录中的类别代码（小写字母、数字和 _）",
                    "category must be a catalogue code (lower-case letters, digits and _)",
                ),
            ));
        }
        errors.extend(check_districts(&self.districts, scope));
        let report_ids = parse_report_ids(&self.report_ids, &mut errors);
        let enterprises = enterprises(self.enterprises, &mut errors);
        match (product, errors.is_empty()) {
            (Some(product), true) => Ok(ValidCase {
                product,
                category,
                districts: self.districts,
                report_ids,
                enterprises,
            }),
            _ => Err(errors),
        }
    }
}

/// Catalogue codes are data managed by triage; assessment checks only their shape.
pub fn is_category_code(code: &str) -> bool {
    code.chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_districts(districts: &[String], scope: Option<&[String]>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if districts.is_empty() {
        errors.push(FieldError::new(
            "districts",
            Text::new("至少填写一个区", "at least one district is required"),
        ));
    }
    for (i, code) in districts.iter().enumerate() {
        if !district::is_known(code) {
            errors.push(FieldError::new(
                format!("districts[{i}]"),
                Text::owned(
                    format!("未知的行政区划代码：{code}"),
                    format!("unknown district code: {code}"),
                ),
            ));
        } else if districts[..i].contains(code) {
            errors.push(FieldError::new(
                format!("districts[{i}]"),
                Text::owned(
                    format!("重复的区：{code}"),
                    format!("duplicate district: {code}"),
                ),
            ));
        }
    }
    // A district bureau opening a case it could not then see would lose it.
    if let Some(own) = scope {
        if !districts.is_empty() && !districts.iter().any(|d| own.contains(d)) {
            errors.push(FieldError::new(
                "districts",
                Text::new(
                    "须至少包含一个您所辖的区",
                    "must include at least one of your own districts",
                ),
            ));
        }
    }
    errors
}

/// Enterprise names, trimmed; at most [`MAX_REPORTS`], none blank.
pub fn enterprises(names: Vec<String>, errors: &mut Vec<FieldError>) -> Vec<String> {
    if names.len() > MAX_REPORTS {
        errors.push(FieldError::new(
            "enterprises",
            Text::owned(
                format!("最多 {MAX_REPORTS} 家企业"),
                format!("at most {MAX_REPORTS} enterprises"),
            ),
        ));
        return Vec::new();
    }
    let mut kept = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        match field::required(&format!("enterprises[{i}]"), Some(name), 200) {
            Ok(name) => kept.push(name),
            Err(error) => errors.push(error),
        }
    }
    kept
}

fn parse_report_ids(ids: &[String], errors: &mut Vec<FieldError>) -> Vec<Uuid> {
    if ids.len() > MAX_REPORTS {
        errors.push(FieldError::new(
            "report_ids",
            Text::owned(
                format!("一个案件最多关联 {MAX_REPORTS} 份报告"),
                format!("a case may gather at most {MAX_REPORTS} reports"),
            ),
        ));
        return Vec::new();
    }
    let mut parsed: Vec<Uuid> = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        match Uuid::parse_str(id) {
            Ok(uuid) if parsed.contains(&uuid) => errors.push(FieldError::new(
                format!("report_ids[{i}]"),
                Text::owned(
                    format!("重复的报告：{id}"),
                    format!("duplicate report: {id}"),
                ),
            )),
            Ok(uuid) => parsed.push(uuid),
            Err(_) => errors.push(FieldError::new(
                format!("report_ids[{i}]"),
                Text::new("报告编号须为 UUID", "a report id must be a UUID"),
            )),
        }
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(districts: &[&str]) -> NewCase {
        NewCase {
            product: Some("儿童电动滑板车".to_owned()),
            category: Some("children_products".to_owned()),
            districts: districts.iter().map(|d| (*d).to_owned()).collect(),
            report_ids: vec![Uuid::now_v7().to_string()],
            enterprises: vec!["好孩子玩具有限公司".to_owned()],
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_complete_case_is_valid() {
        let valid = case(&["310115"]).validate(None).expect("valid");
        assert_eq!(valid.districts, ["310115"]);
        assert_eq!(valid.report_ids.len(), 1);
    }

    #[test]
    fn every_bad_field_is_named() {
        let new = NewCase {
            product: None,
            category: Some("Children Products".to_owned()),
            districts: vec!["999999".to_owned()],
            report_ids: vec!["r-1".to_owned()],
            enterprises: vec![],
        };
        let errors = fields(new.validate(None).expect_err("invalid"));
        assert_eq!(
            errors,
            ["product", "category", "districts[0]", "report_ids[0]"]
        );
    }

    #[test]
    fn a_district_bureau_opens_cases_only_in_its_districts() {
        let pudong = ["310115".to_owned()];
        assert!(case(&["310115", "310104"]).validate(Some(&pudong)).is_ok());
        let errors = fields(
            case(&["310104"])
                .validate(Some(&pudong))
                .expect_err("outside"),
        );
        assert_eq!(errors, ["districts"]);
    }
}
