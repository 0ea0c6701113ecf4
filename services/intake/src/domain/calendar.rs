//! China's official working calendar and the monthly due dates that follow from it.
//!
//! The calendar is data (`data/calendar.json`, compiled in; see `data/README.md` to add a
//! year): public holidays and the make-up workdays (调休) of the State Council's yearly notices.
//! A routine period's due date is the 25th of its month, moved to the next working day.

use std::{
    collections::{BTreeMap, HashSet},
    sync::LazyLock,
};

use chrono::{Datelike as _, NaiveDate, Weekday};
use serde::Deserialize;

const CALENDAR_JSON: &str = include_str!("../../data/calendar.json");

/// The file's shape.
#[derive(Debug, Deserialize)]
struct CalendarFile {
    years: BTreeMap<i32, Year>,
}

#[derive(Debug, Deserialize)]
struct Year {
    status: String,
    #[allow(dead_code)]
    notice: String,
    holidays: Vec<Holiday>,
    workdays: Vec<NaiveDate>,
}

#[derive(Debug, Deserialize)]
struct Holiday {
    #[allow(dead_code)]
    name: String,
    from: NaiveDate,
    to: NaiveDate,
}

/// Which days are working days.
#[derive(Debug)]
pub struct Calendar {
    holidays: HashSet<NaiveDate>,
    workdays: HashSet<NaiveDate>,
    years: BTreeMap<i32, String>,
}

static OFFICIAL: LazyLock<Calendar> = LazyLock::new(|| {
    // The file is compiled in and checked by the tests below, so a parse failure here means
    // a broken build, not bad input; an empty calendar (weekends only) is the safe fallback.
    Calendar::parse(CALENDAR_JSON).unwrap_or_else(|error| {
        tracing::error!(%error, "data/calendar.json is invalid; using weekends only");
        Calendar {
            holidays: HashSet::new(),
            workdays: HashSet::new(),
            years: BTreeMap::new(),
        }
    })
});

impl Calendar {
    /// The calendar shipped in `data/calendar.json`.
    pub fn official() -> &'static Calendar {
        &OFFICIAL
    }

    /// Reads and checks a calendar file.
    pub fn parse(json: &str) -> Result<Self, String> {
        let file: CalendarFile = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut calendar = Calendar {
            holidays: HashSet::new(),
            workdays: HashSet::new(),
            years: BTreeMap::new(),
        };
        for (year, entry) in file.years {
            if !["official", "provisional"].contains(&entry.status.as_str()) {
                return Err(format!("{year}: status must be official or provisional"));
            }
            for holiday in &entry.holidays {
                if holiday.from > holiday.to {
                    return Err(format!("{year}: holiday from {} after to", holiday.from));
                }
                // A New Year holiday may start on 31 December of the year before.
                if holiday.to.year() != year {
                    return Err(format!("{year}: holiday ending {} is outside", holiday.to));
                }
                let mut day = holiday.from;
                while day <= holiday.to {
                    calendar.holidays.insert(day);
                    day = day.succ_opt().ok_or("date overflow")?;
                }
            }
            for day in entry.workdays {
                if day.year() != year || !is_weekend(day) {
                    return Err(format!(
                        "{year}: make-up workday {day} must be a weekend day of the year"
                    ));
                }
                if calendar.holidays.contains(&day) {
                    return Err(format!("{year}: {day} is both a holiday and a workday"));
                }
                calendar.workdays.insert(day);
            }
            calendar.years.insert(year, entry.status);
        }
        Ok(calendar)
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        !(self.holidays.contains(&day) || is_weekend(day))
    }

    /// Whether the year's dates come from its State Council notice (`official`), from the
    /// statutory rules only (`provisional`), or are unknown (`None`: weekends only).
    pub fn status(&self, year: i32) -> Option<&str> {
        self.years.get(&year).map(String::as_str)
    }

    /// The due date of routine period `YYYY-MM`: the 25th, or the next working day.
    pub fn due_date(&self, year: i32, month: u32) -> Option<NaiveDate> {
        let mut day = NaiveDate::from_ymd_opt(year, month, 25)?;
        // At most a Spring Festival plus a weekend: the bound only guards against bad data.
        for _ in 0..31 {
            if self.is_working_day(day) {
                return Some(day);
            }
            day = day.succ_opt()?;
        }
        None
    }
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn due(year: i32, month: u32) -> NaiveDate {
        Calendar::official()
            .due_date(year, month)
            .expect("due date")
    }

    #[test]
    fn the_calendar_file_is_valid_and_covers_2020_to_2027() {
        let calendar = Calendar::parse(CALENDAR_JSON).expect("valid calendar");
        for year in 2020..=2027 {
            assert!(calendar.status(year).is_some(), "{year} missing");
        }
        assert_eq!(calendar.status(2026), Some("official"));
    }

    #[test]
    fn a_25th_on_a_working_day_is_the_due_date() {
        // Wednesday 25 November 2026.
        assert_eq!(due(2026, 11), date("2026-11-25"));
    }

    #[test]
    fn a_25th_on_a_saturday_moves_to_monday() {
        // Saturday 25 April 2026, Sunday 26th: Monday 27th.
        assert_eq!(due(2026, 4), date("2026-04-27"));
        // Sunday 25 October 2026: Monday 26th.
        assert_eq!(due(2026, 10), date("2026-10-26"));
    }

    #[test]
    fn a_25th_inside_the_spring_festival_moves_past_the_holiday() {
        // 2023: Spring Festival 21–27 January; the 25th (Wednesday) is a holiday and the
        // 28th is a make-up Saturday, so the due date is Saturday 28 January.
        assert_eq!(due(2023, 1), date("2023-01-28"));
        // 2020: Spring Festival extended to 2 February; the 25th waits until Monday 3 February.
        assert_eq!(due(2020, 1), date("2020-02-03"));
    }

    #[test]
    fn a_make_up_workday_on_the_25th_is_the_due_date() {
        // Sunday 25 April 2021 was a make-up workday before the Labour Day holiday.
        assert_eq!(due(2021, 4), date("2021-04-25"));
        assert!(Calendar::official().is_working_day(date("2021-04-25")));
        // Sunday 25 January 2026 is an ordinary Sunday: Monday 26th.
        assert_eq!(due(2026, 1), date("2026-01-26"));
    }

    #[test]
    fn a_holiday_on_a_weekday_is_not_a_working_day() {
        assert!(!Calendar::official().is_working_day(date("2026-02-16")));
        assert!(!Calendar::official().is_working_day(date("2026-10-07")));
        assert!(Calendar::official().is_working_day(date("2026-10-10")));
    }

    #[test]
    fn a_year_outside_the_file_falls_back_to_weekends() {
        let calendar = Calendar::official();
        assert_eq!(calendar.status(2031), None);
        // Saturday 25 January 2031.
        assert_eq!(calendar.due_date(2031, 1), Some(date("2031-01-27")));
    }

    #[test]
    fn a_bad_calendar_file_is_refused() {
        let not_weekend = r#"{"years": {"2026": {"status": "official", "notice": "x",
            "holidays": [], "workdays": ["2026-11-25"]}}}"#;
        assert!(Calendar::parse(not_weekend).is_err());
        let both = r#"{"years": {"2026": {"status": "official", "notice": "x",
            "holidays": [{"name": "x", "from": "2026-02-14", "to": "2026-02-14"}],
            "workdays": ["2026-02-14"]}}}"#;
        assert!(Calendar::parse(both).is_err());
    }
}
