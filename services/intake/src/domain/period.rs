//! Reporting periods (seed 003): routine reports are due monthly; the period named after
//! month M runs from the 25th of M-1 to the 24th of M, in Shanghai time.

use chrono::{DateTime, Datelike as _, FixedOffset, Utc};

/// Shanghai's offset: China has one time zone and no daylight saving.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// The period (`YYYY-MM`) a moment falls in.
pub fn period_of(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&shanghai());
    let (mut year, mut month) = (local.year(), local.month());
    if local.day() >= 25 {
        month += 1;
        if month == 13 {
            month = 1;
            year += 1;
        }
    }
    format!("{year:04}-{month:02}")
}

/// Whether `s` is a well-formed period.
pub fn is_period(s: &str) -> bool {
    let Some((year, month)) = s.split_once('-') else {
        return false;
    };
    year.len() == 4
        && year.chars().all(|c| c.is_ascii_digit())
        && month.len() == 2
        && month.parse::<u32>().is_ok_and(|m| (1..=12).contains(&m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("valid time")
    }

    #[test]
    fn the_24th_closes_the_month_and_the_25th_opens_the_next() {
        assert_eq!(period_of(at("2026-11-24T23:59:59+08:00")), "2026-11");
        assert_eq!(period_of(at("2026-11-25T00:00:00+08:00")), "2026-12");
    }

    #[test]
    fn late_december_belongs_to_january_of_the_next_year() {
        assert_eq!(period_of(at("2026-12-26T10:00:00+08:00")), "2027-01");
    }

    #[test]
    fn shanghai_time_decides_not_utc() {
        // 2026-11-24T17:00Z is already the 25th in Shanghai.
        assert_eq!(period_of(at("2026-11-24T17:00:00Z")), "2026-12");
    }

    #[test]
    fn periods_are_validated() {
        assert!(is_period("2026-01"));
        assert!(!is_period("2026-13"));
        assert!(!is_period("26-01"));
    }
}
