//! A circuit breaker per webhook target: after `threshold` consecutive failures the target is
//! left alone for `cooldown`, then tried once (half-open); a success closes it again. It
//! keeps a dead target from using up attempts and connections meant for live ones.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use chrono::{DateTime, Utc};

/// The breakers of every target this instance posts to.
#[derive(Clone)]
pub struct Breakers {
    threshold: u32,
    cooldown: Duration,
    targets: Arc<Mutex<HashMap<String, Target>>>,
}

#[derive(Default)]
struct Target {
    failures: u32,
    open_until: Option<DateTime<Utc>>,
}

impl Breakers {
    pub fn new(threshold: u32, cooldown: Duration) -> Self {
        Self {
            threshold,
            cooldown,
            targets: Arc::default(),
        }
    }

    /// `Some(until)` while the target's breaker is open.
    pub fn open_until(&self, target: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let targets = self.targets.lock().ok()?;
        targets
            .get(target)
            .and_then(|t| t.open_until)
            .filter(|until| *until > now)
    }

    /// Records an attempt's result.
    pub fn record(&self, target: &str, success: bool, now: DateTime<Utc>) {
        let Ok(mut targets) = self.targets.lock() else {
            return;
        };
        if success {
            targets.remove(target);
            return;
        }
        let state = targets.entry(target.to_owned()).or_default();
        state.failures += 1;
        if state.failures >= self.threshold {
            let cooldown = chrono::Duration::from_std(self.cooldown).unwrap_or_default();
            state.open_until = Some(now + cooldown);
            metrics::counter!("notification_webhook_breaker_opened_total").increment(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breaker_opens_after_the_threshold_and_closes_after_a_success() {
        let breakers = Breakers::new(2, Duration::from_secs(60));
        let now = Utc::now();
        breakers.record("a:80", false, now);
        assert!(breakers.open_until("a:80", now).is_none());
        breakers.record("a:80", false, now);
        assert!(breakers.open_until("a:80", now).is_some());
        assert!(
            breakers.open_until("b:80", now).is_none(),
            "other targets unaffected"
        );
        let later = now + chrono::Duration::seconds(61);
        assert!(
            breakers.open_until("a:80", later).is_none(),
            "half-open after the cooldown"
        );
        breakers.record("a:80", true, later);
        breakers.record("a:80", false, later);
        assert!(breakers.open_until("a:80", later).is_none());
    }
}
