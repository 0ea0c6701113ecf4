//! Notification's rules, free of I/O.

pub mod district;
pub mod feed;
pub mod subscription;
pub mod target;
