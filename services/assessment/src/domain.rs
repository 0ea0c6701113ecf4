//! Assessment's rules, free of I/O: what a valid case, score, lab result and decision are,
//! the EU risk matrix, the random draw of expert panels, which districts exist and which
//! disposal measures a decision may name.

pub mod case;
pub mod decision;
pub mod district;
pub mod expert;
pub mod field;
pub mod lab;
pub mod panel;
pub mod risk;
pub mod score;
pub mod summary;
