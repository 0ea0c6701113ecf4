//! The key-supervision catalogue (重点监管目录): data, not code, since it is revised yearly.

use serde::{Deserialize, Serialize};

/// The catalogue shipped with PRISM, used until an admin replaces it.
const SHIPPED: &str = include_str!("../../data/catalogue.json");

/// A versioned catalogue.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Catalogue {
    pub version: u32,
    pub categories: Vec<Category>,
}

/// One category with the words that point to it, in Chinese and English.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Category {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub keywords: Vec<String>,
}

/// The outcome of classifying a product.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub category: Option<String>,
    /// 0.0 to 1.0.
    pub confidence: f64,
}

/// Below this confidence a report waits in the unclassified queue for a person.
pub const THRESHOLD: f64 = 0.5;

impl Catalogue {
    /// The shipped catalogue.
    pub fn shipped() -> Self {
        serde_json::from_str(SHIPPED).expect("the shipped catalogue is valid JSON")
    }

    /// Whether `code` is a category of this catalogue.
    pub fn has(&self, code: &str) -> bool {
        self.categories.iter().any(|c| c.code == code)
    }

    /// Scores each category by the keywords found in the product name (weighted 3) and the
    /// text (weighted 1); the best wins, with a confidence from its share and strength.
    /// A category the station declared, if it exists, counts as strong evidence.
    pub fn classify(&self, product: &str, text: &str, declared: Option<&str>) -> Classification {
        let product = product.to_lowercase();
        let text = text.to_lowercase();
        let mut scores: Vec<(&str, f64)> = self
            .categories
            .iter()
            .map(|category| {
                let mut score = 0.0;
                for keyword in &category.keywords {
                    let keyword = keyword.to_lowercase();
                    if product.contains(&keyword) {
                        score += 3.0;
                    } else if text.contains(&keyword) {
                        score += 1.0;
                    }
                }
                if declared == Some(category.code.as_str()) {
                    score += 4.0;
                }
                (category.code.as_str(), score)
            })
            .filter(|(_, score)| *score > 0.0)
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        let Some((best, best_score)) = scores.first().copied() else {
            return Classification {
                category: None,
                confidence: 0.0,
            };
        };
        let total: f64 = scores.iter().map(|(_, s)| s).sum();
        let strength = (best_score / 4.0).min(1.0);
        let confidence = ((best_score / total) * strength * 100.0).round() / 100.0;
        Classification {
            category: (confidence >= THRESHOLD).then(|| best.to_owned()),
            confidence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_name_decides_its_category() {
        let result = Catalogue::shipped().classify("儿童电动滑板车", "电池起火", None);
        assert_eq!(result.category.as_deref(), Some("children_products"));
        assert!(result.confidence >= THRESHOLD);
    }

    #[test]
    fn english_names_are_classified_too() {
        let result = Catalogue::shipped().classify("Power bank 20000mAh", "", None);
        assert_eq!(result.category.as_deref(), Some("household_appliances"));
    }

    #[test]
    fn an_unknown_product_goes_to_the_unclassified_queue() {
        let result = Catalogue::shipped().classify("神秘物品", "无", None);
        assert_eq!(result.category, None);
        assert!(result.confidence < THRESHOLD);
    }
}
