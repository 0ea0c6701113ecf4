//! Triage against a real NATS server and a real database: reports arrive as intake
//! publishes them; the API and the stream show what triage made of them.

mod catalogue;
mod classification;
mod lanes;
mod queue;
mod signals;
mod support;
mod surges;
