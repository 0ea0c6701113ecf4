//! Assessment's own settings, read from the same layers as the shared ones
//! (`PRISM_ASSESSMENT__IMPORTANT_CASE_HOURS`, or `important_case_hours` in a config file).

use prism_platform::config::ConfigError;
use serde::Deserialize;

/// What assessment alone needs to know.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct AssessmentSettings {
    /// Hours from an alert to the deadline of the case it opens. Important risks are
    /// "reported at once" (seed 003), so their assessment is due within a day by default.
    pub important_case_hours: u32,
    /// Seconds between two sweeps for cases past their deadline.
    pub overdue_check_secs: u64,
    /// A fixed seed for every panel draw, for tests and demonstrations; unset (the
    /// default), each draw takes a fresh random seed. Either way the seed is recorded.
    pub assignment_seed: Option<u64>,
}

impl Default for AssessmentSettings {
    fn default() -> Self {
        Self {
            important_case_hours: 24,
            overdue_check_secs: 60,
            assignment_seed: None,
        }
    }
}

impl AssessmentSettings {
    /// The longest deadline that still makes sense for an important risk: 30 days.
    const MAX_HOURS: u32 = 720;

    /// Refuses values that would make deadlines meaningless, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(1..=Self::MAX_HOURS).contains(&self.important_case_hours) {
            return Err(ConfigError::Invalid {
                key: "important_case_hours".to_owned(),
                message: format!("must be between 1 and {}", Self::MAX_HOURS),
            });
        }
        // Sweeping more rarely than hourly would let an overdue case go unnoticed too long.
        if !(1..=3600).contains(&self.overdue_check_secs) {
            return Err(ConfigError::Invalid {
                key: "overdue_check_secs".to_owned(),
                message: "must be between 1 and 3600".to_owned(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn important_cases_are_due_within_a_day_by_default() {
        let settings = AssessmentSettings::default();
        assert_eq!(settings.important_case_hours, 24);
        assert!(settings.validate().is_ok());
    }

    #[test]
    fn a_zero_hour_deadline_is_refused_by_key() {
        let error = AssessmentSettings {
            important_case_hours: 0,
            ..AssessmentSettings::default()
        }
        .validate()
        .expect_err("zero hours");
        assert!(error.to_string().contains("important_case_hours"));
    }

    #[test]
    fn a_sweep_interval_of_zero_is_refused_by_key() {
        let error = AssessmentSettings {
            overdue_check_secs: 0,
            ..AssessmentSettings::default()
        }
        .validate()
        .expect_err("zero seconds");
        assert!(error.to_string().contains("overdue_check_secs"));
    }

    #[test]
    fn the_deadline_hours_come_from_the_environment() {
        // nextest runs each test in its own process, so this variable reaches no other test.
        std::env::set_var("PRISM_ASSESSMENT__IMPORTANT_CASE_HOURS", "48");
        let (_, own) =
            prism_platform::config::load::<AssessmentSettings>(crate::NAME, crate::DEFAULT_PORT)
                .expect("configuration loads");
        std::env::remove_var("PRISM_ASSESSMENT__IMPORTANT_CASE_HOURS");
        assert_eq!(own.important_case_hours, 48);
    }
}
