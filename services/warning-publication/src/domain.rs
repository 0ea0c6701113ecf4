//! Warning-publication's rules, free of I/O: what a warning is and the states it moves
//! through, what makes a regulator's draft valid, which districts exist, and a warning as
//! a CAP 1.2 message.

pub mod cap;
pub mod district;
pub mod drafting;
pub mod search;
pub mod warning;
