//! Scoring triage's rules against a labelled set (`data/eval/reports.jsonl`): category
//! accuracy, importance recall and precision, and duplicate-pair precision, recall and F1,
//! with the cases that went wrong. Used by `examples/evaluate.rs` and `tests/quality.rs`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use prism_contracts::{Casualties, ReportKind};
use serde::Deserialize;

use super::{
    classifier::Classifier,
    duplicate::{Candidate, DuplicateRule},
    importance::Lexicon,
    similarity::{self, Signature},
};

/// The labelled set shipped in the repository.
pub const SHIPPED_SET: &str = include_str!("../../data/eval/reports.jsonl");

/// One labelled report.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledReport {
    pub id: String,
    pub lang: String,
    pub kind: String,
    pub product: String,
    pub content: String,
    pub districts: Vec<String>,
    /// Days after the start of the set.
    pub day: i64,
    #[serde(default)]
    pub casualties: Option<Casualties>,
    pub label: Label,
}

/// What a person said the report is.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    /// `None`: outside the catalogue, should wait for a person.
    pub category: Option<String>,
    pub important: bool,
    /// Reports with the same group tell the same risk.
    pub group: Option<String>,
}

/// The scores, and what went wrong.
#[derive(Debug, Default)]
pub struct Scores {
    pub reports: usize,
    pub category_correct: usize,
    /// (id, expected, got, product).
    pub category_errors: Vec<(String, Option<String>, Option<String>, String)>,
    pub important_true_positive: usize,
    pub important_false_positive: Vec<String>,
    pub important_false_negative: Vec<String>,
    pub pairs_expected: usize,
    pub pairs_found: usize,
    pub pairs_correct: usize,
    /// Pairs of ids that should have been one signal and were not, and the reverse.
    pub pairs_missed: Vec<(String, String)>,
    pub pairs_wrong: Vec<(String, String)>,
}

impl Scores {
    pub fn category_accuracy(&self) -> f64 {
        ratio(self.category_correct, self.reports)
    }
    pub fn importance_recall(&self) -> f64 {
        let expected = self.important_true_positive + self.important_false_negative.len();
        ratio(self.important_true_positive, expected)
    }
    pub fn importance_precision(&self) -> f64 {
        let raised = self.important_true_positive + self.important_false_positive.len();
        ratio(self.important_true_positive, raised)
    }
    pub fn pair_precision(&self) -> f64 {
        ratio(self.pairs_correct, self.pairs_found)
    }
    pub fn pair_recall(&self) -> f64 {
        ratio(self.pairs_correct, self.pairs_expected)
    }
    pub fn pair_f1(&self) -> f64 {
        let (p, r) = (self.pair_precision(), self.pair_recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// Parses a JSON-lines set.
pub fn parse(set: &str) -> Result<Vec<LabelledReport>, serde_json::Error> {
    set.lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect()
}

/// Runs the rules over `reports` in order, as triage would receive them: classification,
/// importance, and clustering (each report joins the cluster of its most similar earlier
/// report that the duplicate rule accepts, like `store::clustering`).
pub fn evaluate(
    reports: &[LabelledReport],
    classifier: &Classifier,
    lexicon: &Lexicon,
    rule: &DuplicateRule,
) -> Scores {
    let mut scores = Scores {
        reports: reports.len(),
        ..Scores::default()
    };
    let start = DateTime::<Utc>::UNIX_EPOCH;
    let mut seen: Vec<(Option<String>, Signature, usize)> = Vec::new();
    let mut cluster_of: Vec<usize> = Vec::new();
    for (index, report) in reports.iter().enumerate() {
        let text = format!("{} {}", report.product, report.content);
        let classified = classifier.classify(&report.product, &text, None);
        if classified.category == report.label.category {
            scores.category_correct += 1;
        } else {
            scores.category_errors.push((
                report.id.clone(),
                report.label.category.clone(),
                classified.category.clone(),
                report.product.clone(),
            ));
        }
        let kind = ReportKind::parse(&report.kind).unwrap_or(ReportKind::Routine);
        let verdict = lexicon.judge(kind, report.casualties, &text, &[]);
        match (verdict.important, report.label.important) {
            (true, true) => scores.important_true_positive += 1,
            (true, false) => scores.important_false_positive.push(report.id.clone()),
            (false, true) => scores.important_false_negative.push(report.id.clone()),
            (false, false) => {}
        }
        let signature = similarity::signature(&report.content);
        let at = |r: &LabelledReport| start + Duration::days(r.day);
        let own = Candidate {
            category: classified.category.as_deref(),
            product: &report.product,
            districts: &report.districts,
            received_at: at(report),
            signature: &signature,
        };
        let best = seen
            .iter()
            .enumerate()
            .filter_map(|(j, (category, other_signature, _))| {
                let other = &reports[j];
                let theirs = Candidate {
                    category: category.as_deref(),
                    product: &other.product,
                    districts: &other.districts,
                    received_at: at(other),
                    signature: other_signature,
                };
                rule.score(&own, &theirs).map(|score| (score, j))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let cluster = best.map_or(index, |(_, j)| cluster_of[j]);
        cluster_of.push(cluster);
        seen.push((classified.category, signature, cluster));
    }
    count_pairs(reports, &cluster_of, &mut scores);
    scores
}

fn count_pairs(reports: &[LabelledReport], cluster_of: &[usize], scores: &mut Scores) {
    let mut groups: HashMap<&str, usize> = HashMap::new();
    for report in reports {
        if let Some(group) = &report.label.group {
            *groups.entry(group).or_default() += 1;
        }
    }
    scores.pairs_expected = groups.values().map(|n| n * (n - 1) / 2).sum();
    for i in 0..reports.len() {
        for j in i + 1..reports.len() {
            let same_group = reports[i].label.group.is_some()
                && reports[i].label.group == reports[j].label.group;
            let same_cluster = cluster_of[i] == cluster_of[j];
            let pair = || (reports[i].id.clone(), reports[j].id.clone());
            match (same_cluster, same_group) {
                (true, true) => {
                    scores.pairs_found += 1;
                    scores.pairs_correct += 1;
                }
                (true, false) => {
                    scores.pairs_found += 1;
                    scores.pairs_wrong.push(pair());
                }
                (false, true) => scores.pairs_missed.push(pair()),
                (false, false) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::Catalogue;

    #[test]
    fn the_shipped_rules_meet_the_quality_targets_on_the_labelled_set() {
        let reports = parse(SHIPPED_SET).expect("the labelled set parses");
        assert!(reports.len() >= 300);
        let scores = evaluate(
            &reports,
            &Classifier::new(Catalogue::shipped()),
            &Lexicon::shipped(),
            &DuplicateRule::default(),
        );
        assert!(scores.category_accuracy() >= 0.9, "{scores:?}");
        assert!(scores.importance_recall() >= 0.99, "{scores:?}");
        assert!(scores.importance_precision() >= 0.9, "{scores:?}");
        assert!(scores.pair_f1() >= 0.9, "{scores:?}");
    }
}
