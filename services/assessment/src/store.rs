//! The only code that touches assessment's database.

pub mod cases;
pub mod deadlines;
pub mod decisions;
pub mod entities;
pub mod experts;
pub mod openings;
pub mod panels;
pub mod scores;

/// The `district_index` form of a district list: `,310115,310104,`, so that "involves
/// district X" is a portable `LIKE '%,X,%'` on SQLite and PostgreSQL alike.
pub fn district_index(districts: &[String]) -> String {
    format!(",{},", districts.join(","))
}

/// A stored JSON array as a `Vec` (of district codes, report ids, measures).
pub fn list_of<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Vec<T> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}
