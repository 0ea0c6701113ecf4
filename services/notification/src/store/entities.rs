//! sea-orm entities of notification's tables.

pub mod alert;
pub mod delivery;
pub mod feed;
pub mod subscription;
