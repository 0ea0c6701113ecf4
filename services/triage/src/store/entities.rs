//! Triage's tables.

pub mod alert;
pub mod catalogue_version;
pub mod classification;
pub mod classification_district;
pub mod daily_count;
pub mod signal;
pub mod signal_action;
pub mod signal_report;
