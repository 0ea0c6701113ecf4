//! The only code that touches warning-publication's database.

pub mod audit;
pub mod entities;
pub mod feedback;
pub mod lifecycle;
pub mod search;
pub mod versions;
pub mod warnings;

/// The `district_index` form of a district list: `,310115,310104,`, so that "involves
/// district X" is a portable `LIKE '%,X,%'` on SQLite and PostgreSQL alike.
pub fn district_index(districts: &[String]) -> String {
    format!(",{},", districts.join(","))
}

/// A JSON array as a `Vec`; empty if the column holds anything else.
pub fn list_of<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Vec<T> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}
