//! The only code that touches notification's database.

pub mod alerts;
pub mod deliveries;
pub mod entities;
pub mod feed;
pub mod subscriptions;
