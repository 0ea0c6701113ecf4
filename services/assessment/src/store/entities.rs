//! sea-orm entities of assessment's tables.

pub mod case;
pub mod decision;
