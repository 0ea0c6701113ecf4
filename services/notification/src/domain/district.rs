//! District codes a subscription may filter on (GB/T 2260).

/// Shanghai's 16 districts.
const SHANGHAI: [&str; 16] = [
    "310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113",
    "310114", "310115", "310116", "310117", "310118", "310120", "310151",
];

/// Whether `code` is a Shanghai district or the whole country (`000000`).
pub fn is_known(code: &str) -> bool {
    code == "000000" || SHANGHAI.contains(&code)
}

/// `,310115,310104,`: "involves district X" becomes a portable `LIKE '%,X,%'`.
pub fn index(districts: &[String]) -> String {
    format!(",{},", districts.join(","))
}
