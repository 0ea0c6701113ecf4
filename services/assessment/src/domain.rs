//! Assessment's rules, free of I/O: what a valid case and decision are, which districts
//! exist, which disposal measures a decision may name.

pub mod case;
pub mod decision;
pub mod district;
pub mod field;
