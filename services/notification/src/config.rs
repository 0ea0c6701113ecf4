//! Notification's own settings, read from the same layers as the shared ones
//! (`PRISM_NOTIFICATION__WEBHOOKS__ALLOW_PRIVATE_TARGETS`, `[webhooks]` in a config file, ...).

use prism_platform::config::ConfigError;
use serde::{Deserialize, Deserializer};

/// What notification alone needs to know.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NotificationSettings {
    pub webhooks: WebhookSettings,
    pub email: EmailSettings,
    pub escalation: EscalationSettings,
    pub dispatch: DispatchSettings,
    pub stream: StreamSettings,
}

/// How webhooks are posted.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct WebhookSettings {
    /// Allow targets on private, loopback, link-local or metadata addresses (tests, labs).
    pub allow_private_targets: bool,
    /// Attempts before a delivery is marked failed.
    pub max_attempts: i32,
    /// The first retry's delay; each further retry doubles it (plus jitter).
    pub backoff_base_ms: u64,
    /// The longest wait between attempts, also the cap on a target's `Retry-After`.
    pub backoff_max_secs: u64,
    /// A target that takes longer is a failed attempt.
    pub timeout_secs: u64,
    /// Consecutive failures that open a target's circuit breaker.
    pub breaker_threshold: u32,
    /// How long an open breaker keeps the target untried.
    pub breaker_cooldown_secs: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            max_attempts: 8,
            backoff_base_ms: 1_000,
            backoff_max_secs: 3_600,
            timeout_secs: 10,
            breaker_threshold: 5,
            breaker_cooldown_secs: 60,
        }
    }
}

/// The SMTP relay that email deliveries go through.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct EmailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    /// The sender address.
    pub from: String,
    /// Seconds between digests of routine event types (a day by default).
    pub digest_interval_secs: u64,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            smtp_host: "127.0.0.1".to_owned(),
            smtp_port: 25,
            from: "PRISM <prism@localhost>".to_owned(),
            digest_interval_secs: 86_400,
        }
    }
}

/// Who hears of an important alert nobody acknowledged in time.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct EscalationSettings {
    /// Seconds an important alert may stay unacknowledged.
    pub after_secs: u64,
    /// Email addresses of the escalation contacts (a list, or comma-separated).
    #[serde(deserialize_with = "list_or_commas")]
    pub contacts: Vec<String>,
}

impl Default for EscalationSettings {
    fn default() -> Self {
        Self {
            after_secs: 1_800,
            contacts: Vec::new(),
        }
    }
}

/// How the delivery worker looks for work.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DispatchSettings {
    /// The fallback poll when nothing wakes the worker (after a restart, retries due).
    pub poll_millis: u64,
    /// Deliveries in flight at once per instance.
    pub concurrency: usize,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        Self {
            poll_millis: 500,
            concurrency: 256,
        }
    }
}

/// The live stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct StreamSettings {
    /// Seconds between heartbeat comments; INTERFACE.md promises one at least every 15 s.
    pub heartbeat_secs: u64,
    /// Threads writing live events into the streams, each to a share of the connections;
    /// by default one per processor, up to four.
    pub fan_out_threads: usize,
    /// The most events one reconnect replays; a stream whose replay reached it ends there,
    /// and the client's reconnect resumes from the last event replayed.
    pub replay_limit: u64,
}

impl Default for StreamSettings {
    fn default() -> Self {
        Self {
            heartbeat_secs: 15,
            fan_out_threads: std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            replay_limit: 10_000,
        }
    }
}

fn list_or_commas<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        List(Vec<String>),
        One(String),
    }
    Ok(match Either::deserialize(deserializer)? {
        Either::List(list) => list,
        Either::One(one) => one
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

impl NotificationSettings {
    /// Refuses values that would make delivery meaningless, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, message: &str| {
            Err(ConfigError::Invalid {
                key: key.to_owned(),
                message: message.to_owned(),
            })
        };
        if !(1..=50).contains(&self.webhooks.max_attempts) {
            return invalid("webhooks.max_attempts", "must be between 1 and 50");
        }
        if self.webhooks.timeout_secs == 0 {
            return invalid("webhooks.timeout_secs", "must be at least 1");
        }
        if self.webhooks.breaker_threshold == 0 {
            return invalid("webhooks.breaker_threshold", "must be at least 1");
        }
        if self.escalation.after_secs == 0 {
            return invalid("escalation.after_secs", "must be at least 1");
        }
        if self.dispatch.concurrency == 0 || self.dispatch.poll_millis == 0 {
            return invalid("dispatch", "poll_millis and concurrency must be at least 1");
        }
        if !(1..=15).contains(&self.stream.heartbeat_secs) {
            return invalid("stream.heartbeat_secs", "must be between 1 and 15");
        }
        if !(1..=100_000).contains(&self.stream.replay_limit) {
            return invalid("stream.replay_limit", "must be between 1 and 100000");
        }
        if !(1..=16).contains(&self.stream.fan_out_threads) {
            return invalid("stream.fan_out_threads", "must be between 1 and 16");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_webhook_targets_are_refused_by_default() {
        let settings = NotificationSettings::default();
        assert!(!settings.webhooks.allow_private_targets);
        assert!(settings.validate().is_ok());
    }

    #[test]
    fn settings_come_from_the_environment_and_contacts_split_on_commas() {
        // nextest runs each test in its own process, so these variables reach no other test.
        std::env::set_var(
            "PRISM_NOTIFICATION__WEBHOOKS__ALLOW_PRIVATE_TARGETS",
            "true",
        );
        std::env::set_var("PRISM_NOTIFICATION__ESCALATION__CONTACTS", "a@x.cn, b@x.cn");
        let (_, own) =
            prism_platform::config::load::<NotificationSettings>(crate::NAME, crate::DEFAULT_PORT)
                .expect("configuration loads");
        assert!(own.webhooks.allow_private_targets);
        assert_eq!(own.escalation.contacts, ["a@x.cn", "b@x.cn"]);
    }

    #[test]
    fn zero_attempts_are_refused_by_key() {
        let mut settings = NotificationSettings::default();
        settings.webhooks.max_attempts = 0;
        let error = settings.validate().expect_err("zero attempts");
        assert!(error.to_string().contains("webhooks.max_attempts"));
    }
}
