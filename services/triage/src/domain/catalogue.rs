//! The key-supervision catalogue (重点监管目录): data, not code, since it is revised yearly.
//! An admin replaces it as a whole; each replacement is a new version.

use std::collections::{HashMap, HashSet};

use prism_platform::http::{FieldError, Text};
use serde::{Deserialize, Serialize};

/// The catalogue shipped with PRISM: version 1 of a new installation.
const SHIPPED: &str = include_str!("../../data/catalogue.json");

/// A versioned catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Catalogue {
    pub version: u32,
    pub categories: Vec<Category>,
}

/// One category with the words that point to it, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code, `[a-z0-9_]`, 2–64 characters.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Words that point to the category, Chinese or English.
    pub keywords: Vec<String>,
    /// Other names for the same things; they count like keywords.
    #[serde(default)]
    pub synonyms: Vec<String>,
}

/// The body of `PUT /v1/catalog`: the whole new catalogue (the version is assigned).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCatalogue {
    pub categories: Vec<Category>,
}

const MAX_CATEGORIES: usize = 500;
const MAX_WORDS: usize = 500;
const MAX_WORD_CHARS: usize = 40;
const MAX_NAME_CHARS: usize = 100;

impl Category {
    /// Keywords and synonyms, the words the classifier looks for.
    pub fn words(&self) -> impl Iterator<Item = &str> {
        self.keywords
            .iter()
            .chain(&self.synonyms)
            .map(String::as_str)
    }
}

impl Catalogue {
    /// The shipped catalogue.
    pub fn shipped() -> Self {
        serde_json::from_str(SHIPPED).expect("the shipped catalogue is valid JSON")
    }

    /// Whether `code` is a category of this catalogue.
    pub fn has(&self, code: &str) -> bool {
        self.categories.iter().any(|c| c.code == code)
    }

    /// The category with `code`.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }
}

impl NewCatalogue {
    /// Checks the catalogue is usable: codes well-formed and unique, names present, each
    /// category with at least one keyword, no empty or overlong word, and no word claimed by
    /// two categories (the classifier could not tell them apart). Every fault is named.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.categories.is_empty() || self.categories.len() > MAX_CATEGORIES {
            errors.push(FieldError::new(
                "categories",
                Text::new(
                    "目录须有 1 到 500 个类别",
                    "The catalogue must have 1 to 500 categories",
                ),
            ));
        }
        let mut codes = HashSet::new();
        let mut owners: HashMap<String, &str> = HashMap::new();
        for (i, category) in self.categories.iter().enumerate() {
            let at = |field: &str| format!("categories[{i}].{field}");
            if !is_code(&category.code) {
                errors.push(FieldError::new(
                    at("code"),
                    Text::new(
                        "code 须为 2–64 个小写字母、数字或下划线",
                        "code must be 2–64 lowercase letters, digits or underscores",
                    ),
                ));
            } else if !codes.insert(category.code.as_str()) {
                errors.push(FieldError::new(
                    at("code"),
                    Text::owned(
                        format!("类别代码重复：{}", category.code),
                        format!("Duplicate category code: {}", category.code),
                    ),
                ));
            }
            for (field, name) in [
                ("name_zh", &category.name_zh),
                ("name_en", &category.name_en),
            ] {
                let chars = name.trim().chars().count();
                if chars == 0 || chars > MAX_NAME_CHARS {
                    errors.push(FieldError::new(
                        at(field),
                        Text::new("名称须为 1–100 个字符", "The name must be 1–100 characters"),
                    ));
                }
            }
            if category.keywords.is_empty() || category.words().count() > MAX_WORDS {
                errors.push(FieldError::new(
                    at("keywords"),
                    Text::new(
                        "每个类别须有 1 到 500 个关键词",
                        "Each category needs 1 to 500 keywords",
                    ),
                ));
            }
            let lists = [
                ("keywords", &category.keywords),
                ("synonyms", &category.synonyms),
            ];
            for (list, words) in lists {
                for (j, word) in words.iter().enumerate() {
                    let field = format!("categories[{i}].{list}[{j}]");
                    let normal = word.trim().to_lowercase();
                    let chars = normal.chars().count();
                    if chars == 0 || chars > MAX_WORD_CHARS || normal.chars().any(char::is_control)
                    {
                        errors.push(FieldError::new(
                            field,
                            Text::new(
                                "关键词须为 1–40 个可见字符",
                                "A keyword must be 1–40 visible characters",
                            ),
                        ));
                        continue;
                    }
                    match owners.get(&normal) {
                        Some(owner) if *owner != category.code => {
                            errors.push(FieldError::new(
                                field,
                                Text::owned(
                                    format!("关键词“{word}”已属于类别 {owner}"),
                                    format!("The keyword \"{word}\" already belongs to {owner}"),
                                ),
                            ));
                        }
                        _ => {
                            owners.insert(normal, &category.code);
                        }
                    }
                }
            }
        }
        errors
    }

    /// Becomes version `version`.
    pub fn into_version(self, version: u32) -> Catalogue {
        Catalogue {
            version,
            categories: self.categories,
        }
    }
}

fn is_code(code: &str) -> bool {
    (2..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_as_new() -> NewCatalogue {
        NewCatalogue {
            categories: Catalogue::shipped().categories,
        }
    }

    #[test]
    fn the_shipped_catalogue_is_valid() {
        assert_eq!(shipped_as_new().validate(), vec![]);
    }

    #[test]
    fn a_duplicate_code_is_named() {
        let mut new = shipped_as_new();
        let first = new.categories[0].clone();
        new.categories.push(first);
        let last = new.categories.len() - 1;
        let errors = new.validate();
        assert!(errors
            .iter()
            .any(|e| e.field == format!("categories[{last}].code")));
    }

    #[test]
    fn a_keyword_claimed_by_two_categories_is_refused() {
        let mut new = shipped_as_new();
        new.categories[1].keywords.push("儿童".into());
        let errors = new.validate();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].field.starts_with("categories[1].keywords["));
    }

    #[test]
    fn empty_names_codes_and_keywords_are_refused() {
        let new = NewCatalogue {
            categories: vec![Category {
                code: "Bad Code".into(),
                name_zh: " ".into(),
                name_en: "x".into(),
                keywords: vec![],
                synonyms: vec![String::new()],
            }],
        };
        let fields: Vec<String> = new.validate().into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"categories[0].code".to_owned()));
        assert!(fields.contains(&"categories[0].name_zh".to_owned()));
        assert!(fields.contains(&"categories[0].keywords".to_owned()));
        assert!(fields.contains(&"categories[0].synonyms[0]".to_owned()));
    }

    #[test]
    fn an_empty_catalogue_is_refused() {
        let errors = NewCatalogue { categories: vec![] }.validate();
        assert_eq!(errors[0].field, "categories");
    }
}
