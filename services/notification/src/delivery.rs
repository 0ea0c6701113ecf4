//! Delivery beyond the stream: webhooks and email, driven from the `deliveries` table so a
//! restart loses nothing; the daily email digest; escalation of unacknowledged alerts.
//!
//! - [`worker`]: claims due deliveries and runs each attempt in its own task, so a slow or
//!   dead target never holds up the others; settles attempts and announces deliveries.
//! - [`webhook`]: signed POSTs, SSRF protection on the resolved address, retry policy.
//! - [`breaker`]: a circuit breaker per webhook target.
//! - [`email`]: SMTP via lettre.
//! - [`escalation`]: alerts nobody acknowledged in time go to the escalation contacts.
//! - [`digest`]: routine event types for digest subscribers, sent together.

pub mod breaker;
pub mod digest;
pub mod email;
pub mod escalation;
pub mod webhook;
pub mod worker;

use std::time::Duration;

/// What one attempt came to.
#[derive(Debug)]
pub enum Attempt {
    Delivered,
    /// Worth trying again; `after` is what the target asked for (`Retry-After`).
    Transient {
        error: String,
        after: Option<Duration>,
    },
    /// Trying again cannot help (refused target, a 4xx answer).
    Permanent(String),
}
