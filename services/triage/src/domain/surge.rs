//! Surges: an unusual rise in reports of one category in one district.
//!
//! The method, per (category, district):
//! - **Counts.** Reports per calendar day (Asia/Shanghai), the [`SurgeTest::history_days`]
//!   days before today as history (a day without reports counts 0).
//! - **Baseline.** An exponentially weighted moving average of the history, oldest first,
//!   started at the mean of its first week, with weight [`SurgeTest::alpha`] on each newer
//!   day; never below [`SurgeTest::floor`], so a quiet category does not surge on two reports.
//! - **Test.** Today's count `c` is a surge when `c ≥` [`SurgeTest::min_count`] and the
//!   chance of seeing `c` or more under a Poisson law with the baseline as mean is at most
//!   [`SurgeTest::p_value`].
//!
//! With the defaults (28 days, α = 0.2, floor 0.2, at least 3 reports, p ≤ 0.001): a district
//! that never reports on masks surges at 4 reports in a day; one with about 2 a day needs 9.

/// The parameters of the surge test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SurgeTest {
    pub history_days: usize,
    pub alpha: f64,
    pub floor: f64,
    pub min_count: u32,
    pub p_value: f64,
}

impl Default for SurgeTest {
    fn default() -> Self {
        Self {
            history_days: 28,
            alpha: 0.2,
            floor: 0.2,
            min_count: 3,
            p_value: 0.001,
        }
    }
}

/// A day that stands out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surge {
    pub count: u32,
    pub baseline: f64,
    /// P(X ≥ count) under the baseline.
    pub p_value: f64,
}

impl SurgeTest {
    /// The expected daily count from `history` (oldest first).
    pub fn baseline(&self, history: &[u32]) -> f64 {
        let history = &history[history.len().saturating_sub(self.history_days)..];
        let start = history.len().min(7);
        if start == 0 {
            return self.floor;
        }
        let mut level = history[..start].iter().map(|&c| f64::from(c)).sum::<f64>() / start as f64;
        for &count in &history[start..] {
            level = self.alpha * f64::from(count) + (1.0 - self.alpha) * level;
        }
        level.max(self.floor)
    }

    /// Whether `today` is a surge against `history`.
    pub fn judge(&self, history: &[u32], today: u32) -> Option<Surge> {
        if today < self.min_count {
            return None;
        }
        let baseline = self.baseline(history);
        let p_value = poisson_upper_tail(baseline, today);
        (p_value <= self.p_value).then_some(Surge {
            count: today,
            baseline,
            p_value,
        })
    }
}

/// P(X ≥ k) for X ~ Poisson(λ), summed from k upwards in log space so that a tiny tail is
/// not lost to `1 - (almost 1)`.
pub fn poisson_upper_tail(lambda: f64, k: u32) -> f64 {
    if k == 0 {
        return 1.0;
    }
    let ln_factorial: f64 = (2..=k).map(|i| f64::from(i).ln()).sum();
    let mut term = (-lambda + f64::from(k) * lambda.ln() - ln_factorial).exp();
    let mut sum = 0.0;
    let mut i = k;
    while term > sum * 1e-15 && i < k.saturating_add(10_000) {
        sum += term;
        i += 1;
        term *= lambda / f64::from(i);
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reproducible synthetic Poisson series (Knuth's method over a xorshift generator).
    fn poisson_series(lambda: f64, days: usize, mut seed: u64) -> Vec<u32> {
        let mut uniform = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..days)
            .map(|_| {
                let limit = (-lambda).exp();
                let (mut k, mut p) = (0, 1.0);
                loop {
                    p *= uniform();
                    if p <= limit {
                        break k;
                    }
                    k += 1;
                }
            })
            .collect()
    }

    #[test]
    fn the_tail_matches_known_values() {
        // P(X ≥ 1 | 1) = 1 - e^-1
        assert!((poisson_upper_tail(1.0, 1) - 0.632_120_558).abs() < 1e-8);
        // P(X ≥ 4 | 0.2) ≈ 5.68e-5
        assert!((poisson_upper_tail(0.2, 4) - 5.684e-5).abs() < 1e-7);
        assert_eq!(poisson_upper_tail(3.0, 0), 1.0);
    }

    #[test]
    fn a_quiet_series_rarely_surges_on_its_own_noise() {
        let test = SurgeTest::default();
        let (mut alarms, mut days) = (0, 0);
        for seed in 1..40 {
            let series = poisson_series(2.0, 120, seed);
            for day in 28..series.len() {
                days += 1;
                if test.judge(&series[day - 28..day], series[day]).is_some() {
                    alarms += 1;
                }
            }
        }
        let rate = f64::from(alarms) / f64::from(days);
        assert!(rate < 0.005, "{alarms} false alarms in {days} quiet days");
    }

    #[test]
    fn a_fivefold_rise_is_a_surge() {
        let test = SurgeTest::default();
        let history = poisson_series(2.0, 28, 7);
        let surge = test.judge(&history, 10).expect("10 against about 2 a day");
        assert!(surge.baseline > 1.0 && surge.baseline < 3.5, "{surge:?}");
        assert!(surge.p_value < 0.001);
    }

    #[test]
    fn a_quiet_category_surges_at_four_reports_not_three() {
        let test = SurgeTest::default();
        let history = vec![0; 28];
        assert_eq!(test.judge(&history, 3), None);
        assert!(test.judge(&history, 4).is_some());
    }

    #[test]
    fn the_baseline_follows_a_slow_trend_so_growth_is_not_a_surge() {
        let test = SurgeTest::default();
        let history: Vec<u32> = (0..28).map(|day| 5 + day / 2).collect();
        assert_eq!(
            test.judge(&history, 20),
            None,
            "baseline {}",
            test.baseline(&history)
        );
        assert!(test.judge(&history, 40).is_some());
    }

    #[test]
    fn no_history_uses_the_floor() {
        assert_eq!(SurgeTest::default().baseline(&[]), 0.2);
    }
}
