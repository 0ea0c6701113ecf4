//! Reporting periods (seed 003): routine reports are due monthly; the period named after
//! month M runs from the 25th of M-1 to the 24th of M, in Shanghai time.

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate, Utc};

use super::calendar::Calendar;

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

/// A period's year and month.
pub fn parse(period: &str) -> Option<(i32, u32)> {
    if !is_period(period) {
        return None;
    }
    let (year, month) = period.split_once('-')?;
    Some((year.parse().ok()?, month.parse().ok()?))
}

/// The period before `period`.
pub fn previous(period: &str) -> Option<String> {
    let (year, month) = parse(period)?;
    Some(if month == 1 {
        format!("{:04}-12", year - 1)
    } else {
        format!("{year:04}-{:02}", month - 1)
    })
}

/// The period after `period`.
pub fn next(period: &str) -> Option<String> {
    let (year, month) = parse(period)?;
    Some(if month == 12 {
        format!("{:04}-01", year + 1)
    } else {
        format!("{year:04}-{:02}", month + 1)
    })
}

/// The due date of a routine period: its 25th, moved to the next working day.
pub fn due_date(period: &str) -> Option<NaiveDate> {
    let (year, month) = parse(period)?;
    Calendar::official().due_date(year, month)
}

/// The moment a period's submission becomes late: the end of its due date in Shanghai.
pub fn deadline(period: &str) -> Option<DateTime<Utc>> {
    let next_day = due_date(period)?.succ_opt()?;
    next_day
        .and_hms_opt(0, 0, 0)?
        .and_local_timezone(shanghai())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The period a routine report received at `at` is for, unless the station names one: the
/// period whose due date has not yet passed. Between the 25th and a due date moved past it
/// (a weekend, a holiday) a report still counts for the period just ended.
pub fn routine_period_of(at: DateTime<Utc>) -> String {
    let current = period_of(at);
    match previous(&current).and_then(|p| deadline(&p).map(|d| (p, d))) {
        Some((previous, deadline)) if at < deadline => previous,
        _ => current,
    }
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
    fn a_routine_report_on_a_moved_due_date_still_counts_for_the_period_just_ended() {
        // Sunday 25 October 2026: the 2026-10 report is due Monday 26th.
        assert_eq!(
            routine_period_of(at("2026-10-25T10:00:00+08:00")),
            "2026-10"
        );
        assert_eq!(
            routine_period_of(at("2026-10-26T23:59:00+08:00")),
            "2026-10"
        );
        assert_eq!(
            routine_period_of(at("2026-10-27T00:00:00+08:00")),
            "2026-11"
        );
        assert_eq!(
            routine_period_of(at("2026-11-10T09:00:00+08:00")),
            "2026-11"
        );
    }

    #[test]
    fn the_deadline_is_the_end_of_the_due_date_in_shanghai() {
        assert_eq!(deadline("2026-11"), Some(at("2026-11-26T00:00:00+08:00")));
        assert_eq!(previous("2027-01").as_deref(), Some("2026-12"));
        assert_eq!(next("2026-12").as_deref(), Some("2027-01"));
    }

    #[test]
    fn periods_are_validated() {
        assert!(is_period("2026-01"));
        assert!(!is_period("2026-13"));
        assert!(!is_period("26-01"));
    }
}
