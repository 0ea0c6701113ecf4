//! The events, one module per owning service.

pub mod assessment;
pub mod intake;
pub mod notification;
pub mod triage;
pub mod warning;
