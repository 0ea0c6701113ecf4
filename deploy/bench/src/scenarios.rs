//! The scenarios, one module each, and the SSE and report helpers they share.

pub mod alert_latency;
pub mod burst;
pub mod fanout;
pub mod floor;
pub mod load;
pub mod peer;
pub mod public_reads;
pub mod socket;
pub mod sse;
pub mod wrk;
