//! The official Excel form as files: [`read`] turns an uploaded .xlsx into a grid of text
//! after refusing hostile files (not a zip, a zip bomb, too many rows, formulas); [`write`]
//! writes reports back into the same form. What the cells mean is [`crate::domain::form`].

pub mod read;
pub mod write;
