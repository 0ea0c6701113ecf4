//! Warning-publication's HTTP API and decisions consumer against a real NATS server and a
//! real database.

mod decisions;
mod drafting;
mod feeds;
mod helpers;
mod lifecycle;
mod public;
mod search;
mod site;
