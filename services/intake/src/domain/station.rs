//! Monitoring stations (监测站 / 监测点).

use prism_platform::http::{FieldError, Text};
use serde::Deserialize;

use super::district;

/// The kinds of station of INTERFACE.md.
pub const KINDS: [&str; 8] = [
    "association",
    "testing_institution",
    "ecommerce_platform",
    "community_point",
    "hospital",
    "school",
    "enterprise",
    "volunteer",
];

/// An admin's request to register a station.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStation {
    /// Unique code, e.g. `SH-EC-001`.
    pub code: String,
    pub name: String,
    pub kind: String,
    /// GB/T 2260 codes of the districts it covers.
    pub districts: Vec<String>,
    #[serde(default)]
    pub contact: Option<Contact>,
}

/// A person to call.
#[derive(Debug, Clone, Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub phone: String,
}

impl NewStation {
    /// Every problem with the request, each naming its field.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let code_ok = (2..=32).contains(&self.code.len())
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !code_ok {
            errors.push(FieldError::new(
                "code",
                Text::new(
                    "编号须为 2–32 位字母、数字、- 或 _",
                    "code must be 2–32 letters, digits, - or _",
                ),
            ));
        }
        let name_len = self.name.trim().chars().count();
        if !(1..=100).contains(&name_len) {
            errors.push(FieldError::new(
                "name",
                Text::new("名称须为 1–100 个字符", "name must be 1–100 characters"),
            ));
        }
        if !KINDS.contains(&self.kind.as_str()) {
            errors.push(FieldError::new(
                "kind",
                Text::owned(
                    format!("类型须为以下之一：{}", KINDS.join("、")),
                    format!("kind must be one of: {}", KINDS.join(", ")),
                ),
            ));
        }
        if self.districts.is_empty() {
            errors.push(FieldError::new(
                "districts",
                Text::new("至少填写一个区", "at least one district is required"),
            ));
        }
        for (i, code) in self.districts.iter().enumerate() {
            if !district::is_known(code) {
                errors.push(FieldError::new(
                    format!("districts[{i}]"),
                    Text::owned(
                        format!("未知的行政区划代码：{code}"),
                        format!("unknown district code: {code}"),
                    ),
                ));
            }
        }
        if let Some(contact) = &self.contact {
            errors.extend(super::report::check_phone("contact.phone", &contact.phone));
        }
        errors
    }
}
