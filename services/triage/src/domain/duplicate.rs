//! When two reports tell the same risk: the same category, similar product names,
//! overlapping districts, close in time, and similar text (MinHash over character bigrams).

use chrono::{DateTime, Duration, Utc};

use super::similarity;

/// The parameters of the duplicate rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateRule {
    /// Reports further apart than this are separate signals.
    pub window: Duration,
    /// Least estimated overlap of the texts' shingles (see [`similarity::overlap`]) when the
    /// products are the same.
    pub text_similarity: f64,
    /// Least overlap of the texts when the product names differ ("插线板" and "排插"): the
    /// text alone must then show it is the same risk.
    pub text_alone: f64,
    /// Least overlap of the product names' shingles for them to name the same product
    /// ("充电宝" and "某品牌充电宝" overlap fully; "儿童雨靴" and "儿童滑板车" share only
    /// 儿童, which is not enough).
    pub product_similarity: f64,
}

impl Default for DuplicateRule {
    fn default() -> Self {
        Self {
            window: Duration::days(14),
            text_similarity: 0.15,
            text_alone: 0.3,
            product_similarity: 0.5,
        }
    }
}

/// What the rule compares of a report.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub category: Option<&'a str>,
    pub product: &'a str,
    pub districts: &'a [String],
    pub received_at: DateTime<Utc>,
    pub signature: &'a similarity::Signature,
}

impl DuplicateRule {
    /// How similar `a` and `b` are (their texts' estimate) when every other condition
    /// holds, else `None`.
    pub fn score(&self, a: &Candidate<'_>, b: &Candidate<'_>) -> Option<f64> {
        let same_category = a.category.is_some() && a.category == b.category;
        let close = (a.received_at - b.received_at).abs() <= self.window;
        if !(same_category && close && Self::share_a_district(a.districts, b.districts)) {
            return None;
        }
        let text = similarity::overlap(a.signature, b.signature);
        // The product names matter only between the two thresholds, and comparing them
        // shingles both names (lowercasing, the glossary, two hash sets). Done for every
        // candidate before the texts were compared, it was about 4 % of triage's processor
        // time under 500 routine reports/s (`perf record`: `to_lower`, `lookup_slow`).
        let (lower, upper) = (
            self.text_similarity.min(self.text_alone),
            self.text_similarity.max(self.text_alone),
        );
        if text < lower {
            return None;
        }
        if text >= upper {
            return Some(text);
        }
        let least = if self.same_product(a.product, b.product) {
            self.text_similarity
        } else {
            self.text_alone
        };
        (text >= least).then_some(text)
    }

    /// Whether two reports were made in at least one common district: a condition cheap
    /// enough to check before the texts are compared.
    pub fn share_a_district(a: &[String], b: &[String]) -> bool {
        a.iter().any(|d| b.contains(d))
    }

    /// Whether two product names name the same product.
    pub fn same_product(&self, a: &str, b: &str) -> bool {
        similarity::exact_overlap(a, b) >= self.product_similarity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::similarity::signature;

    fn candidate<'a>(
        product: &'a str,
        districts: &'a [String],
        days: i64,
        signature: &'a similarity::Signature,
    ) -> Candidate<'a> {
        Candidate {
            category: Some("household_appliances"),
            product,
            districts,
            received_at: DateTime::<Utc>::UNIX_EPOCH + Duration::days(days),
            signature,
        }
    }

    #[test]
    fn the_same_risk_told_twice_is_a_duplicate() {
        let d = vec!["310115".to_owned()];
        let (a, b) = (
            signature("充电宝充电时外壳鼓包并冒烟，存在起火风险"),
            signature("消费者反映充电宝充电时鼓包冒烟，有起火隐患"),
        );
        let rule = DuplicateRule::default();
        let score = rule.score(
            &candidate("充电宝", &d, 0, &a),
            &candidate("某品牌充电宝", &d, 3, &b),
        );
        assert!(score.is_some());
    }

    #[test]
    fn other_risks_of_the_same_product_are_not() {
        let d = vec!["310115".to_owned()];
        let (a, b) = (
            signature("充电时外壳鼓包并冒烟，存在起火风险"),
            signature("外包装标识不全，缺少生产日期"),
        );
        let rule = DuplicateRule::default();
        assert_eq!(
            rule.score(
                &candidate("充电宝", &d, 0, &a),
                &candidate("充电宝", &d, 1, &b)
            ),
            None
        );
    }

    #[test]
    fn other_districts_other_times_or_other_products_are_not() {
        let (d1, d2) = (vec!["310115".to_owned()], vec!["310104".to_owned()]);
        let s = signature("充电宝充电时外壳鼓包并冒烟，存在起火风险");
        let rule = DuplicateRule::default();
        let base = candidate("充电宝", &d1, 0, &s);
        assert_eq!(rule.score(&base, &candidate("充电宝", &d2, 0, &s)), None);
        assert_eq!(rule.score(&base, &candidate("充电宝", &d1, 30, &s)), None);
        let other = signature("电吹风外壳过热");
        assert_eq!(
            rule.score(&base, &candidate("电吹风", &d1, 0, &other)),
            None
        );
    }
}
