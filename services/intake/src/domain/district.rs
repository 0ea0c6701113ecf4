//! Districts by GB/T 2260 code: the shared list of `prism_contracts`.

pub use prism_contracts::districts::*;
