//! sea-orm entities of warning-publication's tables.

pub mod audit;
pub mod warning;
