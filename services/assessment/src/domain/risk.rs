//! The EU risk assessment method (RAPEX guidelines, Commission Decision 2010/15/EU annex,
//! part III, kept unchanged in Implementing Decision (EU) 2019/417): an injury scenario has
//! a severity 1–4 and an overall probability, the product of its steps' probabilities; the
//! matrix of the guidelines' table 4 turns the pair into a risk level.

use prism_contracts::RiskLevel;

/// Severity of the injury, 1 (minor) to 4 (death, permanent disability of more than 10 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Severity(u8);

impl Severity {
    /// A severity, if `value` is 1 to 4.
    pub fn new(value: i64) -> Option<Self> {
        u8::try_from(value)
            .ok()
            .filter(|v| (1..=4).contains(v))
            .map(Self)
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A probability in (0, 1].
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Probability(f64);

impl Probability {
    /// A probability, if `value` is a number in (0, 1].
    pub fn new(value: f64) -> Option<Self> {
        (value.is_finite() && value > 0.0 && value <= 1.0).then_some(Self(value))
    }

    pub fn get(self) -> f64 {
        self.0
    }

    /// The overall probability of a scenario: the product of its steps'.
    pub fn product(steps: &[Probability]) -> Option<Self> {
        if steps.is_empty() {
            return None;
        }
        Self::new(steps.iter().map(|p| p.0).product())
    }

    /// Ten times as likely, at most certain (the sensitivity view's upper bound).
    pub fn ten_times(self) -> Self {
        Self((self.0 * 10.0).min(1.0))
    }

    /// A tenth as likely (the sensitivity view's lower bound).
    pub fn a_tenth(self) -> Self {
        Self(self.0 / 10.0)
    }
}

/// The probability rows of table 4, from the most likely down: a probability belongs to
/// the first row whose bound it exceeds ("> 1/10" and so on); below 1/1 000 000 is the
/// last row.
const ROWS: [f64; 7] = [0.5, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6];

/// The levels of each row for severity 1, 2, 3, 4 (table 4), and of the last row.
const MATRIX: [[RiskLevel; 4]; 8] = {
    use RiskLevel::{High as H, Low as L, Medium as M, Serious as S};
    [
        [H, S, S, S], // > 50 %
        [M, S, S, S], // > 1/10
        [M, S, S, S], // > 1/100
        [L, H, S, S], // > 1/1 000
        [L, M, H, S], // > 1/10 000
        [L, L, M, H], // > 1/100 000
        [L, L, L, M], // > 1/1 000 000
        [L, L, L, L], // < 1/1 000 000
    ]
};

/// The risk level of a severity at a probability.
pub fn level(severity: Severity, probability: Probability) -> RiskLevel {
    // A product of decimal fractions is rarely exact in binary (0.1 × 0.01 is a hair above
    // 1/1 000), so a probability must exceed a bound by more than rounding to be above it.
    let row = ROWS
        .iter()
        .position(|bound| probability.0 > bound * (1.0 + 1e-9))
        .unwrap_or(ROWS.len());
    MATRIX[row][usize::from(severity.0 - 1)]
}

/// A scenario's level and the levels its probability ×10 and ÷10 would give: whether the
/// level is robust against a misjudged probability (the guidelines' sensitivity analysis).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Sensitivity {
    /// At a tenth of the probability.
    #[schema(value_type = String)]
    pub lower: RiskLevel,
    #[schema(value_type = String)]
    pub level: RiskLevel,
    /// At ten times the probability (at most 1).
    #[schema(value_type = String)]
    pub higher: RiskLevel,
}

impl Sensitivity {
    pub fn of(severity: Severity, probability: Probability) -> Self {
        Self {
            lower: level(severity, probability.a_tenth()),
            level: level(severity, probability),
            higher: level(severity, probability.ten_times()),
        }
    }

    /// The highest of each bound over several scenarios (a case's view).
    pub fn highest(all: impl IntoIterator<Item = Self>) -> Option<Self> {
        all.into_iter().reduce(|a, b| Self {
            lower: a.lower.max(b.lower),
            level: a.level.max(b.level),
            higher: a.higher.max(b.higher),
        })
    }
}

#[cfg(test)]
mod tests;
