//! Warning-publication's rules, free of I/O: what a warning is and the states it moves
//! through, what makes a regulator's draft valid, and which districts exist.

pub mod district;
pub mod drafting;
pub mod warning;
