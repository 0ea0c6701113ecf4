//! Per-caller rate limits: a key that sends too much gets 429 with `Retry-After`, so one
//! runaway client cannot starve the other stations.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use axum::response::{IntoResponse, Response};
use governor::{clock::Clock as _, DefaultKeyedRateLimiter, Quota};
use http::{header, HeaderValue, StatusCode};
use prism_platform::http::{problem::Problem, Text};

use crate::config::RateLimitSettings;

/// One token bucket per caller.
#[derive(Clone)]
pub struct RateLimits {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    clock: governor::clock::DefaultClock,
}

impl RateLimits {
    pub fn new(settings: &RateLimitSettings) -> Self {
        let per_second = NonZeroU32::new(settings.per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(settings.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Self {
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(quota)),
            clock: governor::clock::DefaultClock::default(),
        }
    }

    /// Counts one request of `caller`; a 429 with `Retry-After` when it is over its quota.
    pub fn check(&self, caller: &str) -> Result<(), RateLimited> {
        // Forget callers whose buckets are full again now and then, so the map stays small.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&caller.to_owned()) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Err(RateLimited { wait })
            }
        }
    }
}

/// A caller over its quota, and how long until its next request is allowed.
#[derive(Debug)]
pub struct RateLimited {
    pub wait: Duration,
}

impl IntoResponse for RateLimited {
    fn into_response(self) -> Response {
        too_many(self.wait)
    }
}

fn too_many(wait: Duration) -> Response {
    metrics::counter!("intake_rate_limited_total").increment(1);
    // Whole seconds, rounded up: `Retry-After: 0` would invite an immediate retry.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        Text::new("请求过于频繁，请稍后重试", "Too many requests, retry later"),
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
