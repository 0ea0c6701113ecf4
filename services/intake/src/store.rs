//! The only code that touches intake's database.

pub mod attachments;
pub mod compliance;
pub mod entities;
pub mod group_commit;
pub mod key_cache;
pub mod reports;
pub mod stations;
pub mod timeline;

pub use prism_contracts::districts::index as district_index;
