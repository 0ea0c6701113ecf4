//! Whether a report is important (重要风险信息), and why: the station said so, it records
//! casualties, or its text shows death, injury, fire, explosion, electric shock, poisoning,
//! suffocation or a danger to children (a lexicon kept as data).

use prism_contracts::{Casualties, ReportKind, RiskLevel};
use serde::Deserialize;

const SHIPPED: &str = include_str!("../../data/importance.json");

#[derive(Debug, Clone, Deserialize)]
struct Term {
    term: String,
    reason: String,
    hazard: String,
}

#[derive(Debug, Clone, Deserialize)]
struct LexiconFile {
    terms: Vec<Term>,
}

/// The importance lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    terms: Vec<Term>,
}

/// The verdict on one report.
#[derive(Debug, Clone, PartialEq)]
pub struct Importance {
    pub important: bool,
    pub reason: Option<String>,
    pub level: RiskLevel,
    /// Hazards the text shows, beside those the station declared.
    pub hazards: Vec<String>,
}

impl Lexicon {
    /// The shipped lexicon.
    pub fn shipped() -> Self {
        let file: LexiconFile =
            serde_json::from_str(SHIPPED).expect("the shipped lexicon is valid JSON");
        Self { terms: file.terms }
    }

    /// Judges a report.
    pub fn judge(
        &self,
        kind: ReportKind,
        casualties: Option<Casualties>,
        text: &str,
        declared: &[String],
    ) -> Importance {
        let lower = text.to_lowercase();
        let found: Vec<&Term> = self
            .terms
            .iter()
            .filter(|t| contains_term(&lower, &t.term))
            .collect();
        let mut hazards: Vec<String> = declared.to_vec();
        for term in &found {
            if !hazards.contains(&term.hazard) {
                hazards.push(term.hazard.clone());
            }
        }
        let casualties = casualties.unwrap_or_default();
        let level = if casualties.deaths > 0 || found.iter().any(|t| t.reason == "death") {
            RiskLevel::Serious
        } else {
            RiskLevel::High
        };
        let reason = if kind == ReportKind::Important {
            Some("station reported it as important".to_owned())
        } else if casualties.any() {
            Some(format!(
                "casualties recorded: {} dead, {} injured",
                casualties.deaths, casualties.injuries
            ))
        } else {
            found
                .first()
                .map(|t| format!("text shows {}: \"{}\"", t.reason, t.term))
        };
        Importance {
            important: reason.is_some(),
            reason,
            level,
            hazards,
        }
    }
}

/// Chinese terms match anywhere; English terms match whole words only ("fire" is not in
/// "firewall").
fn contains_term(text: &str, term: &str) -> bool {
    if !term.is_ascii() {
        return text.contains(term);
    }
    let term = term.to_lowercase();
    text.match_indices(&term).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + term.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_station_marked_report_is_important() {
        let verdict = Lexicon::shipped().judge(ReportKind::Important, None, "质量问题", &[]);
        assert!(verdict.important);
    }

    #[test]
    fn a_routine_report_with_casualties_is_raised() {
        let casualties = Some(Casualties {
            deaths: 0,
            injuries: 2,
        });
        let verdict =
            Lexicon::shipped().judge(ReportKind::Routine, casualties, "产品质量问题", &[]);
        assert!(verdict.important);
        assert_eq!(verdict.level, RiskLevel::High);
    }

    #[test]
    fn a_routine_report_whose_text_shows_fire_is_raised_with_the_hazard() {
        let verdict = Lexicon::shipped().judge(ReportKind::Routine, None, "充电时电池起火", &[]);
        assert!(verdict.important);
        assert!(verdict.hazards.contains(&"fire".to_owned()));
    }

    #[test]
    fn english_terms_match_whole_words_only() {
        let verdict = Lexicon::shipped().judge(
            ReportKind::Routine,
            None,
            "firewall settings are confusing",
            &[],
        );
        assert!(!verdict.important);
        let verdict =
            Lexicon::shipped().judge(ReportKind::Routine, None, "the charger caught fire", &[]);
        assert!(verdict.important);
    }

    #[test]
    fn a_death_makes_the_level_serious() {
        let verdict = Lexicon::shipped().judge(ReportKind::Routine, None, "一名儿童死亡", &[]);
        assert_eq!(verdict.level, RiskLevel::Serious);
    }
}
