//! Triage's rules, free of I/O.

pub mod catalogue;
pub mod classifier;
pub mod duplicate;
pub mod evaluation;
pub mod hazard;
pub mod importance;
pub mod similarity;
pub mod surge;
