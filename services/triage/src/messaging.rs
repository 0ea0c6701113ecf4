//! What triage consumes.
//!
//! - [`reports`]: received reports, in two lanes. The important lane has its own durable
//!   consumer, so a backlog of routine reports never delays an alert; the alert is staged
//!   before anything else and nothing slow runs in that transaction.
//! - [`alerts`]: the important lane's alerts, published by a database-free consumer at once
//!   (a routine report raised to important is announced through the outbox instead).
//! - [`signals`]: triage's own `ReportClassified`, to place each report in a signal and
//!   watch for surges: the slow steps, after the alert has left.

pub mod alerts;
pub mod reports;
pub mod signals;

use std::sync::Arc;

use prism_contracts::{subjects::v1, Lane};
use prism_messaging::ConsumerSpec;

/// Durable names: the important lane, the routine lane, clustering.
pub const IMPORTANT: &str = "triage-reports-important";
pub const ROUTINE: &str = "triage-reports-routine";
pub const SIGNALS: &str = "triage-signals";

/// The two lanes' consumers of received reports.
pub fn report_consumers(triage: Arc<reports::Triage>) -> Vec<(ConsumerSpec, Arc<reports::Triage>)> {
    let important = v1::report_received(Lane::Important);
    let routine = v1::report_received(Lane::Routine);
    // One batch at a time. Classifying is CPU work: with more batches at once both cores
    // classify and the important lane's alerts wait for the processor. Measured with the
    // `alert_latency` example (20,000 queued, SQLite): one batch 581 reports/s, alert p99
    // 4.5 ms; two 896/s, 27.5 ms; four 1,575/s, 50.5 ms (188 ms on PostgreSQL).
    let mut routine_spec = ConsumerSpec::new(
        v1::reports_stream(Lane::Routine).name,
        ROUTINE,
        &[routine.as_str()],
    );
    // Batches of 256 rather than 64: a batch costs a handful of statements and a commit
    // whatever its size, each a hand-off to SQLite's worker thread. Measured with the same
    // example (100,000 queued, SQLite): 1,778-1,831 reports/s in 64s, 1,984-2,050 in 256s;
    // PostgreSQL 1,214-1,393 and 1,467. The alerts are unaffected: they leave from
    // their own consumer and thread. Later (classification outside the transaction, two
    // SQLite connections): 256s 2,053/s SQLite, 1,438-1,444 PostgreSQL; 512s 2,140 and
    // 1,631; 1,000s 2,021 and 1,728.
    routine_spec.batch = 512;
    vec![
        (
            ConsumerSpec::new(
                v1::reports_stream(Lane::Important).name,
                IMPORTANT,
                &[important.as_str()],
            ),
            triage.clone(),
        ),
        (routine_spec, triage),
    ]
}

/// The clustering consumer: one at a time, since two reports of one risk arriving together
/// must not open two signals.
pub fn signal_consumer() -> ConsumerSpec {
    let mut spec = ConsumerSpec::new(v1::TRIAGE.name, SIGNALS, &[v1::REPORT_CLASSIFIED]);
    // Clustering writes a whole batch in a few statements plus one update per signal it
    // grows, so a full batch costs little more than a small one. Measured with the
    // `alert_latency` example (20,000 queued, SQLite): batches of 8 with per-report
    // statements clustered 120 reports/s; batched writes 221/s in eights, 495/s in 64s.
    spec.batch = 64;
    spec
}
