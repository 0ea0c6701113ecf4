//! The expert pool (专家库): who an expert is, what they know (specialties: catalogue
//! categories) and whom they work for (affiliations), which decide whether they may sit on
//! a case's panel.

use prism_platform::http::{FieldError, Text};
use serde::Deserialize;

use super::{case::is_category_code, field};

const MAX_ITEMS: usize = 50;

/// An admin's request to add an expert.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExpert {
    /// The expert's JWT `sub`: what they log in as.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Catalogue category codes the expert may assess, e.g. `children_products`.
    #[serde(default)]
    pub specialties: Vec<String>,
    /// Organisations the expert works for or is paid by: station codes or ids, enterprise
    /// names. A case reported by or involving one of them is not theirs to assess.
    #[serde(default)]
    pub affiliations: Vec<String>,
}

/// An expert request that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidExpert {
    pub id: String,
    pub name: String,
    pub specialties: Vec<String>,
    pub affiliations: Vec<String>,
}

impl NewExpert {
    /// Every problem, each naming its field.
    pub fn validate(self) -> Result<ValidExpert, Vec<FieldError>> {
        let mut errors = Vec::new();
        let id = field::required("id", self.id.as_deref(), 128)
            .map_err(|e| errors.push(e))
            .ok();
        let name = field::required("name", self.name.as_deref(), 100)
            .map_err(|e| errors.push(e))
            .ok();
        if self.specialties.is_empty() {
            errors.push(FieldError::new(
                "specialties",
                Text::new("至少填写一个专业类别", "at least one specialty is required"),
            ));
        }
        for (i, code) in self.specialties.iter().enumerate() {
            if !is_category_code(code.trim()) {
                errors.push(FieldError::new(
                    format!("specialties[{i}]"),
                    Text::new(
                        "专业须为目录中的类别代码（小写字母、数字和 _）",
                        "a specialty must be a catalogue code (lower-case letters, digits and _)",
                    ),
                ));
            }
        }
        let specialties = items("specialties", self.specialties, &mut errors, 64);
        let affiliations = items("affiliations", self.affiliations, &mut errors, 200);
        match (id, name) {
            (Some(id), Some(name)) if errors.is_empty() => Ok(ValidExpert {
                id,
                name,
                specialties,
                affiliations,
            }),
            _ => Err(errors),
        }
    }
}

/// A list of short texts, trimmed, none blank or repeated.
fn items(name: &str, values: Vec<String>, errors: &mut Vec<FieldError>, max: usize) -> Vec<String> {
    if values.len() > MAX_ITEMS {
        errors.push(FieldError::new(
            name,
            Text::owned(
                format!("最多 {MAX_ITEMS} 项"),
                format!("at most {MAX_ITEMS} items"),
            ),
        ));
        return Vec::new();
    }
    let mut kept: Vec<String> = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        let field_name = format!("{name}[{i}]");
        match field::required(&field_name, Some(value), max) {
            Ok(value) if kept.iter().any(|k| same_party(k, &value)) => {
                errors.push(FieldError::new(
                    field_name,
                    Text::owned(format!("重复：{value}"), format!("duplicate: {value}")),
                ));
            }
            Ok(value) => kept.push(value),
            Err(error) => errors.push(error),
        }
    }
    kept
}

/// Whether two names denote the same organisation: case and surrounding blanks do not
/// count, so "SH-TI-001" and " sh-ti-001" are one station.
pub fn same_party(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expert_needs_an_id_a_name_and_a_catalogue_specialty() {
        let new = NewExpert {
            id: Some("exp-1".to_owned()),
            name: None,
            specialties: vec!["Toys".to_owned(), "household_appliances".to_owned()],
            affiliations: vec!["SH-TI-001".to_owned(), "sh-ti-001 ".to_owned()],
        };
        let fields: Vec<_> = new
            .validate()
            .expect_err("invalid")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "specialties[0]", "affiliations[1]"]);
    }
}
