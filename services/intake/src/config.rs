//! Intake's own settings, read from the same layers as the shared ones
//! (`PRISM_INTAKE__RATE_LIMIT__PER_SECOND`, or `[rate_limit]` in a config file).

use prism_platform::config::ConfigError;
use serde::Deserialize;

/// What intake alone needs to know.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct IntakeSettings {
    pub rate_limit: RateLimitSettings,
    /// How often the overdue watch looks for missed due dates, in seconds.
    pub overdue_check_secs: u64,
}

/// Requests each caller (an API key's station, or a person) may make.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct RateLimitSettings {
    /// Sustained requests per second.
    pub per_second: u32,
    /// Requests allowed at once above the sustained rate.
    pub burst: u32,
}

impl Default for IntakeSettings {
    fn default() -> Self {
        Self {
            rate_limit: RateLimitSettings::default(),
            overdue_check_secs: 300,
        }
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        // Generous for a station (an upload is one request), tight enough to stop a runaway
        // client from starving the others.
        Self {
            per_second: 100,
            burst: 200,
        }
    }
}

impl IntakeSettings {
    /// Refuses values that cannot work, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: &str| ConfigError::Invalid {
            key: key.to_owned(),
            message: message.to_owned(),
        };
        if self.rate_limit.per_second == 0 {
            return Err(invalid("rate_limit.per_second", "must be at least 1"));
        }
        if self.rate_limit.burst == 0 {
            return Err(invalid("rate_limit.burst", "must be at least 1"));
        }
        if self.overdue_check_secs == 0 {
            return Err(invalid("overdue_check_secs", "must be at least 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert!(IntakeSettings::default().validate().is_ok());
    }

    #[test]
    fn a_zero_rate_is_refused_by_its_key() {
        let mut settings = IntakeSettings::default();
        settings.rate_limit.per_second = 0;
        let error = settings.validate().expect_err("invalid");
        assert!(error.to_string().contains("rate_limit.per_second"));
    }
}
