//! sea-orm entities of assessment's tables.

pub mod assignment;
pub mod case;
pub mod case_report;
pub mod decision;
pub mod expert;
pub mod lab_result;
pub mod score;
