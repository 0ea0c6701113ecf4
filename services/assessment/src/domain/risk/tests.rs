//! The matrix of table 4, row by row, and the guidelines' worked examples.

use prism_contracts::RiskLevel::{self, High as H, Low as L, Medium as M, Serious as S};

use super::*;

fn severity(value: i64) -> Severity {
    Severity::new(value).expect("severity")
}

fn probability(value: f64) -> Probability {
    Probability::new(value).expect("probability")
}

fn steps(values: &[f64]) -> Probability {
    let steps: Vec<_> = values.iter().map(|v| probability(*v)).collect();
    Probability::product(&steps).expect("product")
}

#[test]
fn every_cell_of_the_matrix_gives_the_guidelines_level() {
    // One probability inside each row of table 4, and the levels for severity 1 to 4.
    let table: [(f64, [RiskLevel; 4]); 8] = [
        (0.9, [H, S, S, S]),
        (0.2, [M, S, S, S]),
        (0.02, [M, S, S, S]),
        (0.002, [L, H, S, S]),
        (0.0002, [L, M, H, S]),
        (0.00002, [L, L, M, H]),
        (0.000002, [L, L, L, M]),
        (0.0000002, [L, L, L, L]),
    ];
    for (p, levels) in table {
        for (s, expected) in (1..=4).zip(levels) {
            assert_eq!(
                level(severity(s), probability(p)),
                expected,
                "severity {s} at {p}"
            );
        }
    }
}

#[test]
fn a_probability_on_a_bound_belongs_to_the_row_below() {
    // "> 1/1 000" means strictly more; products of steps land on bounds with rounding.
    let table = [
        (&[1.0, 0.5][..], 2, S),      // exactly 50 %: the "> 1/10" row
        (&[0.1, 0.01][..], 2, M),     // exactly 1/1 000: the "> 1/10 000" row
        (&[0.1, 0.1, 0.1][..], 3, H), // 1/1 000 again, built from three steps
        (&[0.001, 0.001][..], 4, L),  // exactly 1/1 000 000: the last row
        (&[1.0][..], 1, H),           // certain
    ];
    for (values, s, expected) in table {
        assert_eq!(level(severity(s), steps(values)), expected, "{values:?}");
    }
}

#[test]
fn the_folding_chair_of_the_guidelines_is_a_low_risk() {
    // 2010/15/EU annex, example 6.1: unfolding the chair (1), gripping the seat at the back
    // corner (1/50), the finger caught (1/10): 1/500, minor pinching (severity 1): low.
    let overall = steps(&[1.0, 1.0 / 50.0, 1.0 / 10.0]);
    assert!((overall.get() - 1.0 / 500.0).abs() < 1e-12);
    assert_eq!(level(severity(1), overall), L);
    // The same accident crushing the finger (severity 2) would be high.
    assert_eq!(level(severity(2), overall), H);
}

#[test]
fn the_sensitivity_view_moves_the_probability_tenfold_each_way() {
    // The folding chair at 1/500: ÷10 is 1/5 000, ×10 is 1/50.
    let chair = Sensitivity::of(severity(2), probability(1.0 / 500.0));
    assert_eq!((chair.lower, chair.level, chair.higher), (M, H, S));
    // ×10 never exceeds certainty.
    let certain = Sensitivity::of(severity(1), probability(0.5));
    assert_eq!((certain.lower, certain.level, certain.higher), (M, M, H));
    let case = Sensitivity::highest([chair, certain]).expect("two scenarios");
    assert_eq!((case.lower, case.level, case.higher), (M, H, S));
}

#[test]
fn severities_outside_one_to_four_and_probabilities_outside_zero_to_one_do_not_exist() {
    assert!(Severity::new(0).is_none());
    assert!(Severity::new(5).is_none());
    assert!(Severity::new(-1).is_none());
    for bad in [0.0, -0.1, 1.000_001, f64::NAN, f64::INFINITY] {
        assert!(Probability::new(bad).is_none(), "{bad}");
    }
    assert!(Probability::product(&[]).is_none());
    // A product that underflows to zero is no probability either.
    let tiny = probability(1e-200);
    assert!(Probability::product(&[tiny, tiny]).is_none());
}
