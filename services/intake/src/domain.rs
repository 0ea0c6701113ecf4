//! Intake's rules, free of I/O: what a valid report is, which districts exist, which
//! reporting period a moment falls in, when it is due (China's official calendar) and
//! whether a station met it.

pub mod calendar;
pub mod compliance;
pub mod district;
pub mod form;
pub mod period;
pub mod report;
pub mod station;
