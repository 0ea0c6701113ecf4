//! The only code that touches intake's database.

pub mod entities;
pub mod reports;
pub mod stations;
pub mod timeline;

/// The `district_index` form of a district list: `,310115,310104,`, so that "involves
/// district X" is a portable `LIKE '%,X,%'` on SQLite and PostgreSQL alike.
pub fn district_index(districts: &[String]) -> String {
    format!(",{},", districts.join(","))
}
