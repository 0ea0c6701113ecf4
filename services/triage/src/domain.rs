//! Triage's rules, free of I/O.

pub mod catalogue;
pub mod importance;
