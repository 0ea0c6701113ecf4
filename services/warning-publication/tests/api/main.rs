//! Warning-publication's HTTP API and decisions consumer against a real NATS server and a
//! real database.

mod decisions;
mod drafting;
mod helpers;
mod public;
