//! Whether a station met its monthly due dates: on time, late, missing, or still open.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::period;

/// A station's standing for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// A routine report arrived by the end of the due date.
    OnTime,
    /// The first routine report arrived after the due date.
    Late,
    /// The due date passed without a routine report.
    Missing,
    /// Nothing yet, and the due date has not passed.
    Open,
}

/// The routine reports a station sent for one period.
#[derive(Debug, Clone, Copy)]
pub struct Submissions {
    pub first_at: DateTime<Utc>,
    pub count: u64,
}

/// One month of a station's compliance.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Month {
    /// `YYYY-MM`.
    pub period: String,
    /// `YYYY-MM-DD` in Shanghai.
    pub due_date: NaiveDate,
    pub standing: Standing,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub reports: u64,
}

/// The periods from `first` to `last`, inclusive, oldest first (at most 120).
pub fn periods_between(first: &str, last: &str) -> Vec<String> {
    let mut periods = Vec::new();
    let mut current = Some(first.to_owned());
    while let Some(p) = current {
        if p.as_str() > last || periods.len() == 120 {
            break;
        }
        current = period::next(&p);
        periods.push(p);
    }
    periods
}

/// Each period's standing at `now`. A period that was already past due when the station was
/// registered is left out unless the station reported for it: it owed nothing then.
pub fn months(
    periods: &[String],
    submissions: &HashMap<String, Submissions>,
    registered_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<Month> {
    periods
        .iter()
        .filter_map(|p| {
            let due_date = period::due_date(p)?;
            let deadline = period::deadline(p)?;
            let sent = submissions.get(p);
            if sent.is_none() && deadline <= registered_at {
                return None;
            }
            let standing = match sent {
                Some(s) if s.first_at < deadline => Standing::OnTime,
                Some(_) => Standing::Late,
                None if deadline <= now => Standing::Missing,
                None => Standing::Open,
            };
            Some(Month {
                period: p.clone(),
                due_date,
                standing,
                first_submitted_at: sent.map(|s| s.first_at),
                reports: sent.map_or(0, |s| s.count),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .expect("time")
    }

    fn sent(first: &str) -> Submissions {
        Submissions {
            first_at: at(first),
            count: 1,
        }
    }

    #[test]
    fn each_period_is_on_time_late_missing_or_open() {
        let periods = periods_between("2026-08", "2026-11");
        assert_eq!(periods, ["2026-08", "2026-09", "2026-10", "2026-11"]);
        let submissions = HashMap::from([
            // 2026-08 is due Tuesday 25 August: in time.
            ("2026-08".to_owned(), sent("2026-08-25T16:00:00+08:00")),
            // 2026-10 is due Monday 26 October (the 25th is a Sunday): a day after.
            ("2026-10".to_owned(), sent("2026-10-27T09:00:00+08:00")),
        ]);
        let months = months(
            &periods,
            &submissions,
            at("2026-01-01T00:00:00+08:00"),
            at("2026-11-20T12:00:00+08:00"),
        );
        let standings: Vec<Standing> = months.iter().map(|m| m.standing).collect();
        assert_eq!(
            standings,
            [
                Standing::OnTime,
                Standing::Missing,
                Standing::Late,
                Standing::Open
            ]
        );
        assert_eq!(months[2].due_date.to_string(), "2026-10-26");
    }

    #[test]
    fn a_report_on_a_moved_due_date_is_on_time() {
        let periods = vec!["2026-10".to_owned()];
        let submissions =
            HashMap::from([("2026-10".to_owned(), sent("2026-10-26T23:30:00+08:00"))]);
        let months = months(
            &periods,
            &submissions,
            at("2026-01-01T00:00:00+08:00"),
            at("2026-11-20T00:00:00+08:00"),
        );
        assert_eq!(months[0].standing, Standing::OnTime);
    }

    #[test]
    fn months_before_the_station_existed_are_not_missing() {
        let periods = periods_between("2026-01", "2026-03");
        let months = months(
            &periods,
            &HashMap::new(),
            at("2026-02-26T10:00:00+08:00"),
            at("2026-04-01T00:00:00+08:00"),
        );
        let listed: Vec<&str> = months.iter().map(|m| m.period.as_str()).collect();
        // 2026-02 was due Wednesday 25 February, before the station was registered.
        assert_eq!(listed, ["2026-03"]);
        assert_eq!(months[0].standing, Standing::Missing);
    }
}
