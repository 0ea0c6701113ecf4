//! Hazard types from a report's text and its declared hazards: finer types after EU Safety
//! Gate (fire, electric shock, chemical, choking, …) and the seeds' dimensions (health,
//! property, environment, personal safety). The lexicon is data (`data/hazards.json`).

use std::collections::HashMap;

use serde::Deserialize;

use super::importance::contains_term;

const SHIPPED: &str = include_str!("../../data/hazards.json");

#[derive(Debug, Clone, Deserialize)]
struct Term {
    term: String,
    hazard: String,
}

#[derive(Debug, Clone, Deserialize)]
struct HazardFile {
    dimensions: HashMap<String, Vec<String>>,
    terms: Vec<Term>,
}

/// The hazard lexicon.
#[derive(Debug, Clone)]
pub struct Hazards {
    file: HazardFile,
}

/// The four dimensions the seeds name, in the order they are listed.
pub const DIMENSIONS: [&str; 4] = ["health", "property", "environment", "personal_safety"];

impl Hazards {
    /// The shipped lexicon.
    pub fn shipped() -> Self {
        Self {
            file: serde_json::from_str(SHIPPED).expect("the shipped hazard lexicon is valid JSON"),
        }
    }

    /// The hazard types the station declared and those the text shows, then the dimensions
    /// they fall under; each once, in that order. `lower` is the lowercased text.
    pub fn detect(&self, lower: &str, declared: &[String], shown: &[String]) -> Vec<String> {
        let mut types: Vec<String> = Vec::new();
        let add = |hazard: &str, types: &mut Vec<String>| {
            let hazard = hazard.trim().to_lowercase();
            if !hazard.is_empty() && !types.contains(&hazard) {
                types.push(hazard);
            }
        };
        for hazard in declared.iter().chain(shown) {
            add(hazard, &mut types);
        }
        for term in &self.file.terms {
            if contains_term(lower, &term.term) {
                add(&term.hazard, &mut types);
            }
        }
        let mut dimensions: Vec<&'static str> = Vec::new();
        for hazard in &types {
            let own = DIMENSIONS
                .contains(&hazard.as_str())
                .then_some(hazard.as_str());
            let mapped = self.file.dimensions.get(hazard).into_iter().flatten();
            for dimension in own.into_iter().chain(mapped.map(String::as_str)) {
                if let Some(known) = DIMENSIONS.iter().find(|d| **d == dimension) {
                    if !dimensions.contains(known) {
                        dimensions.push(known);
                    }
                }
            }
        }
        for dimension in DIMENSIONS {
            if dimensions.contains(&dimension) && !types.iter().any(|t| t == dimension) {
                types.push(dimension.to_owned());
            }
        }
        types
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_hazards_come_with_their_dimensions() {
        let found = Hazards::shipped().detect("充电宝鼓包冒烟，外壳甲醛异味", &[], &[]);
        assert_eq!(
            found,
            ["fire", "chemical", "health", "property", "personal_safety"]
        );
    }

    #[test]
    fn declared_hazards_are_kept_first() {
        let found = Hazards::shipped().detect("no detail", &["Choking".into()], &[]);
        assert_eq!(found, ["choking", "personal_safety"]);
    }

    #[test]
    fn a_pencil_is_not_lead_poisoning() {
        let found = Hazards::shipped().detect("学生铅笔笔杆易断", &[], &[]);
        assert!(!found.contains(&"chemical".to_owned()), "{found:?}");
    }

    #[test]
    fn english_terms_match_whole_words() {
        let found = Hazards::shipped().detect("the leading brand, cutting-edge design", &[], &[]);
        assert!(found.is_empty(), "{found:?}");
    }
}
