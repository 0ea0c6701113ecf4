//! sea-orm entities of intake's tables.

pub mod attachment;
pub mod idempotency;
pub mod overdue_notice;
pub mod report;
pub mod station;
pub mod station_key;
pub mod timeline;
