//! What a search query may be: bounded, split into terms that must all match.

/// The longest query accepted, in characters.
pub const QUERY_MAX: usize = 100;
/// At most this many terms count.
pub const TERMS_MAX: usize = 5;

/// The terms of a query: split on whitespace, lower-cased, without the characters `LIKE`
/// treats specially (so a user's `%` cannot turn a search into a scan for everything).
/// `None` when the query is too long.
pub fn terms(query: &str) -> Option<Vec<String>> {
    if query.chars().count() > QUERY_MAX {
        return None;
    }
    Some(
        query
            .split_whitespace()
            .map(|term| {
                term.chars()
                    .filter(|c| !matches!(c, '%' | '_' | '\\'))
                    .collect::<String>()
                    .to_lowercase()
            })
            .filter(|term| !term.is_empty())
            .take(TERMS_MAX)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_lower_cased_and_free_of_wildcards() {
        assert_eq!(
            terms("  滑板车  Fire%_ ").expect("short"),
            vec!["滑板车".to_owned(), "fire".to_owned()]
        );
        assert_eq!(terms("%%").expect("short"), Vec::<String>::new());
        assert!(terms(&"长".repeat(QUERY_MAX + 1)).is_none());
    }
}
