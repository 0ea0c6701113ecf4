//! sea-orm entities of warning-publication's tables.

pub mod audit;
pub mod feedback;
pub mod version;
pub mod warning;
