//! Whether a report is important (重要风险信息), and why: the station said so, it records
//! casualties, or its text shows death, injury, fire, explosion, electric shock, poisoning,
//! suffocation or a danger to children (a lexicon kept as data, `data/importance.json`).
//!
//! The lexicon also names phrases that only look alarming ("防火门", "fire door",
//! "explosion-proof"), which are ignored; negations ("未发现起火", "无人员受伤", "no fire"),
//! which cancel a term in the same clause; and terms that count only when the text is about
//! children (a crib's rail "断裂" is a danger to a child, a shelf's is not).

use prism_contracts::{Casualties, ReportKind, RiskLevel};
use serde::Deserialize;

const SHIPPED: &str = include_str!("../../data/importance.json");

#[derive(Debug, Clone, Deserialize)]
struct Term {
    term: String,
    reason: String,
    hazard: String,
    /// Counts only when the text is about children.
    #[serde(default)]
    child: bool,
}

#[derive(Debug, Clone, Deserialize)]
struct Negations {
    zh: Vec<String>,
    en: Vec<String>,
}

/// The importance lexicon.
#[derive(Debug, Clone, Deserialize)]
pub struct Lexicon {
    terms: Vec<Term>,
    child_words: Vec<String>,
    /// Phrases removed before matching.
    exclusions: Vec<String>,
    negations: Negations,
    /// Words that start like a negation but are not one ("无故", "无法").
    not_negations: Vec<String>,
}

/// How far back a negation reaches: Chinese characters, English words.
const ZH_NEGATION_REACH: usize = 6;
const EN_NEGATION_REACH: usize = 5;

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
        serde_json::from_str(SHIPPED).expect("the shipped lexicon is valid JSON")
    }

    /// Judges a report.
    pub fn judge(
        &self,
        kind: ReportKind,
        casualties: Option<Casualties>,
        text: &str,
        declared: &[String],
    ) -> Importance {
        let mut lower = text.to_lowercase();
        for phrase in &self.exclusions {
            lower = lower.replace(phrase.as_str(), " ");
        }
        let about_children = self.child_words.iter().any(|w| contains_term(&lower, w));
        let found: Vec<&Term> = self
            .terms
            .iter()
            .filter(|t| !t.child || about_children)
            .filter(|t| self.affirmed(&lower, &t.term))
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

impl Lexicon {
    /// Whether `term` occurs in `text` at least once without a negation before it in the
    /// same clause.
    fn affirmed(&self, text: &str, term: &str) -> bool {
        occurrences(text, term).any(|start| !self.negated(&text[..start], term.is_ascii()))
    }

    fn negated(&self, before: &str, english: bool) -> bool {
        let clause = before
            .rsplit([
                '，', '。', '；', '！', '？', ',', '.', ';', '!', '?', ':', '：',
            ])
            .next()
            .unwrap_or(before);
        if english {
            let words: Vec<&str> = clause.split_whitespace().collect();
            let reach = &words[words.len().saturating_sub(EN_NEGATION_REACH)..];
            return reach
                .iter()
                .any(|w| self.negations.en.iter().any(|n| n == w.trim_matches('\'')));
        }
        let chars: Vec<char> = clause.chars().collect();
        let window: String = chars[chars.len().saturating_sub(ZH_NEGATION_REACH)..]
            .iter()
            .collect();
        let mut window = window;
        for word in &self.not_negations {
            window = window.replace(word.as_str(), " ");
        }
        self.negations
            .zh
            .iter()
            .any(|n| window.contains(n.as_str()))
    }
}

/// Where `term` occurs in `text` (byte offsets), by the rule of [`contains_term`].
fn occurrences<'a>(text: &'a str, term: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(term)
        .filter(move |(start, _)| {
            if !term.is_ascii() {
                return true;
            }
            let before = text[..*start].chars().next_back();
            let after = text[start + term.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_alphanumeric())
                && !after.is_some_and(|c| c.is_ascii_alphanumeric())
        })
        .map(|(start, _)| start)
}

/// Chinese terms match anywhere; English terms match whole words only ("fire" is not in
/// "firewall").
pub(crate) fn contains_term(text: &str, term: &str) -> bool {
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
    fn a_negated_term_does_not_raise_a_report() {
        let lexicon = Lexicon::shipped();
        for text in [
            "外壳温升测试合格，未发现起火或漏电隐患",
            "电池仓无起火迹象，无人员受伤",
            "Armrest creaks; no injuries reported and no fire or shock risk found",
        ] {
            assert!(
                !lexicon
                    .judge(ReportKind::Routine, None, text, &[])
                    .important,
                "{text}"
            );
        }
        let fire_then_none_hurt = "电池过热起火，所幸未造成人员伤亡";
        assert!(
            lexicon
                .judge(ReportKind::Routine, None, fire_then_none_hurt, &[])
                .important
        );
        assert!(
            lexicon
                .judge(ReportKind::Routine, None, "玻璃茶几无故自爆", &[])
                .important
        );
    }

    #[test]
    fn fire_doors_and_explosion_proof_lamps_are_not_fires() {
        let lexicon = Lexicon::shipped();
        for text in [
            "Fire doors lack certification labels",
            "防爆灯铭牌不全",
            "explosion-proof motor",
        ] {
            assert!(
                !lexicon
                    .judge(ReportKind::Routine, None, text, &[])
                    .important,
                "{text}"
            );
        }
    }

    #[test]
    fn some_terms_count_only_for_children() {
        let lexicon = Lexicon::shipped();
        assert!(
            !lexicon
                .judge(ReportKind::Routine, None, "货架横梁断裂", &[])
                .important
        );
        assert!(
            lexicon
                .judge(ReportKind::Routine, None, "儿童安全座椅卡扣断裂", &[])
                .important
        );
    }

    #[test]
    fn a_death_makes_the_level_serious() {
        let verdict = Lexicon::shipped().judge(ReportKind::Routine, None, "一名儿童死亡", &[]);
        assert_eq!(verdict.level, RiskLevel::Serious);
    }
}
