//! Assessment against a real NATS server and a real database: alerts open cases, regulators
//! decide, decisions are announced.

mod alerts;
mod cases;
mod decisions;
mod helpers;
