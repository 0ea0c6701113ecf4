//! Assessment against a real NATS server and a real database: alerts and escalated signals
//! open cases, regulators draw panels, experts score, regulators decide, deadlines pass;
//! every step is announced.

mod access;
mod alerts;
mod cases;
mod deadlines;
mod decisions;
mod helpers;
mod panels;
mod scoring;
mod signals;
