//! The only code that touches triage's database.

pub mod alert;
pub mod classification;
