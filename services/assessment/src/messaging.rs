//! What assessment consumes from triage: alerts and escalated signals, each of which opens
//! one case.

pub mod alerts;
pub mod signals;

pub use alerts::{consumer, AlertCases};
