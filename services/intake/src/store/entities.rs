//! sea-orm entities of intake's tables.

pub mod idempotency;
pub mod report;
pub mod station;
pub mod station_key;
pub mod timeline;
