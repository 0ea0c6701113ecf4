//! Intake's rules, free of I/O: what a valid report is, which districts exist, which
//! reporting period a moment falls in.

pub mod district;
pub mod period;
pub mod report;
pub mod station;
