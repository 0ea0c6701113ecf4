//! A case's level from all its scores: the highest over every scenario of every expert
//! (the guidelines take the scenario with the highest risk), each expert's own level so that
//! a disagreement shows, and the sensitivity of the result.

use std::collections::BTreeMap;

use prism_contracts::RiskLevel;
use serde::Serialize;

use super::risk::{Probability, Sensitivity, Severity};

/// One scored scenario, as the summary needs it.
#[derive(Debug, Clone)]
pub struct Scored {
    pub expert_id: String,
    pub severity: Severity,
    pub probability: Probability,
}

/// One expert's view of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ExpertLevel {
    pub expert_id: String,
    /// The highest level of the expert's scenarios.
    #[schema(value_type = String)]
    pub level: RiskLevel,
    pub scenarios: usize,
}

/// The case's computed level and how firm it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// The highest level over every scenario and expert; `None` before any score.
    #[schema(value_type = Option<String>)]
    pub level: Option<RiskLevel>,
    /// Each expert's level, by expert id.
    pub experts: Vec<ExpertLevel>,
    /// Whether the experts' levels differ.
    pub disagreement: bool,
    /// The case's level with every scenario's probability ÷10 and ×10.
    pub sensitivity: Option<Sensitivity>,
}

impl Summary {
    pub fn of(scores: &[Scored]) -> Self {
        let mut experts: BTreeMap<&str, (RiskLevel, usize)> = BTreeMap::new();
        for score in scores {
            let level = super::risk::level(score.severity, score.probability);
            let entry = experts
                .entry(score.expert_id.as_str())
                .or_insert((level, 0));
            entry.0 = entry.0.max(level);
            entry.1 += 1;
        }
        let experts: Vec<ExpertLevel> = experts
            .into_iter()
            .map(|(id, (level, scenarios))| ExpertLevel {
                expert_id: id.to_owned(),
                level,
                scenarios,
            })
            .collect();
        let disagreement = experts
            .windows(2)
            .any(|pair| pair[0].level != pair[1].level);
        let sensitivity = Sensitivity::highest(
            scores
                .iter()
                .map(|s| Sensitivity::of(s.severity, s.probability)),
        );
        Self {
            level: experts.iter().map(|e| e.level).max(),
            experts,
            disagreement,
            sensitivity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored(expert: &str, severity: i64, probability: f64) -> Scored {
        Scored {
            expert_id: expert.to_owned(),
            severity: Severity::new(severity).expect("severity"),
            probability: Probability::new(probability).expect("probability"),
        }
    }

    #[test]
    fn the_case_takes_the_highest_scenario_and_shows_disagreement() {
        let summary = Summary::of(&[
            scored("wang", 1, 1.0 / 500.0),  // low
            scored("wang", 3, 1.0 / 5000.0), // high
            scored("li", 2, 1.0 / 5000.0),   // medium
        ]);
        assert_eq!(summary.level, Some(RiskLevel::High));
        assert!(summary.disagreement);
        let levels: Vec<_> = summary
            .experts
            .iter()
            .map(|e| (e.expert_id.as_str(), e.level, e.scenarios))
            .collect();
        assert_eq!(
            levels,
            [("li", RiskLevel::Medium, 1), ("wang", RiskLevel::High, 2)]
        );
        let sensitivity = summary.sensitivity.expect("scores");
        assert_eq!(
            (sensitivity.lower, sensitivity.higher),
            (RiskLevel::Medium, RiskLevel::Serious)
        );
    }

    #[test]
    fn experts_who_agree_show_no_disagreement_and_no_scores_no_level() {
        let summary = Summary::of(&[scored("wang", 4, 0.2), scored("li", 2, 0.5)]);
        assert_eq!(summary.level, Some(RiskLevel::Serious));
        assert!(!summary.disagreement);
        let empty = Summary::of(&[]);
        assert_eq!((empty.level, empty.disagreement), (None, false));
        assert!(empty.sensitivity.is_none());
    }
}
