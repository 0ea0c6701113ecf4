//! The only code that touches triage's database.
//!
//! - [`entities`]: the tables.
//! - [`catalogue`]: catalogue versions, and replacing the catalogue.
//! - [`classifications`]: a report's classification, the unclassified queue, reclassifying.
//! - [`clustering`]: a classified report joins or opens a signal; surges.
//! - [`signals`]: the regulator's queue and what regulators do to signals.

pub mod catalogue;
pub mod classifications;
pub mod clustering;
pub mod entities;
pub mod signals;
pub mod surges;

pub use entities::{alert, classification};
