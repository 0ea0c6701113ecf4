//! Surges in the pipeline: each classified report adds one to its category's count in each
//! of its districts for its day; when a count stands out against its baseline
//! (`domain::surge`), a surge signal holds that day's reports there.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use prism_contracts::{events::triage::SignalUpdated, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::{Alias, Expr, OnConflict},
    ActiveModelTrait as _,
    ActiveValue::Set,
    ColumnTrait as _, Condition, DatabaseTransaction, DbErr, EntityTrait as _, QueryFilter as _,
    QuerySelect as _,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    classifications,
    clustering::{open, Placing},
    entities::{classification, classification_district, daily_count, signal, signal_report},
    signals,
};
use crate::{domain::surge::SurgeTest, NAME};

/// A category, a district and a day.
type Place<'a> = (&'a str, String, NaiveDate);

/// Counts a batch's reports and opens or grows the surge signal of each category, district
/// and day whose count stands out: one count update and one history read per such key, not
/// per report.
pub async fn count_and_check(
    test: &SurgeTest,
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    batch: &[Placing<'_>],
) -> Result<(), DbErr> {
    let mut counted: Vec<(Place<'_>, Vec<&Placing<'_>>)> = Vec::new();
    for placing in batch {
        let day = shanghai_day(placing.row.received_at);
        for district in classifications::districts(&placing.row) {
            let key = (placing.category.as_str(), district, day);
            match counted.iter_mut().find(|(k, _)| *k == key) {
                Some((_, reports)) => reports.push(placing),
                None => counted.push((key, vec![placing])),
            }
        }
    }
    let keys: Vec<(&str, &str, NaiveDate, usize)> = counted
        .iter()
        .map(|((category, district, day), reports)| {
            (*category, district.as_str(), *day, reports.len())
        })
        .collect();
    count(txn, &keys).await?;
    let mut counts = counts(txn, test.history_days, &keys).await?;
    for ((category, district, day), reports) in counted {
        let Some((history, today)) = counts.remove(&(category.to_owned(), district.clone(), day))
        else {
            continue;
        };
        let Some(surge) = test.judge(&history, today) else {
            continue;
        };
        let key = format!("{category}/{district}/{day}");
        let detail = json!({"district": district, "day": day, "count": surge.count,
                            "baseline": surge.baseline, "p_value": surge.p_value});
        let existing = signal::Entity::find()
            .filter(signal::Column::SurgeKey.eq(key.as_str()))
            .one(txn)
            .await?;
        let Some(last) = reports.last() else {
            continue;
        };
        match existing {
            None => {
                let members = reports_of_day(txn, category, &district, day).await?;
                let opened = open(txn, outbox, last, &members, "surge").await?;
                let mut active: signal::ActiveModel = opened.into();
                active.surge_key = Set(Some(key));
                let opened = active.update(txn).await?;
                signals::audit(txn, opened.id, "surge", None, None, detail).await?;
            }
            Some(existing) if signals::ACTIVE.contains(&existing.status.as_str()) => {
                let ids: Vec<Uuid> = reports.iter().map(|p| p.row.report_id).collect();
                let present: Vec<Uuid> = signal_report::Entity::find()
                    .select_only()
                    .column(signal_report::Column::ReportId)
                    .filter(signal_report::Column::SignalId.eq(existing.id))
                    .filter(signal_report::Column::ReportId.is_in(ids))
                    .into_tuple()
                    .all(txn)
                    .await?;
                let new: Vec<&classification::Model> = reports
                    .iter()
                    .map(|p| &p.row)
                    .filter(|r| !present.contains(&r.report_id))
                    .collect();
                if new.is_empty() {
                    continue;
                }
                let signal = signals::join(txn, existing, &new).await?;
                let event = SignalUpdated {
                    signal: signals::snapshot(txn, &signal).await?,
                    change: "report_added".to_owned(),
                    by: None,
                    reason: Some(format!("surge: {today} reports today")),
                    updated_at: Utc::now(),
                };
                let envelope = Envelope::caused_by(NAME, last.cause, event);
                outbox.stage_traced(txn, &[(&envelope, last.trace)]).await?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Adds each key's reports to its day's count of a category in a district, in one
/// statement.
async fn count(
    txn: &DatabaseTransaction,
    keys: &[(&str, &str, NaiveDate, usize)],
) -> Result<(), DbErr> {
    if keys.is_empty() {
        return Ok(());
    }
    let rows = keys.iter().map(
        |(category, district, day, reports)| daily_count::ActiveModel {
            category: Set((*category).to_owned()),
            district: Set((*district).to_owned()),
            day: Set(day.to_string()),
            reports: Set(i32::try_from(*reports).unwrap_or(i32::MAX)),
        },
    );
    daily_count::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                daily_count::Column::Category,
                daily_count::Column::District,
                daily_count::Column::Day,
            ])
            .value(
                daily_count::Column::Reports,
                Expr::col((daily_count::Entity, daily_count::Column::Reports)).add(Expr::col((
                    Alias::new("excluded"),
                    daily_count::Column::Reports,
                ))),
            )
            .to_owned(),
        )
        .exec(txn)
        .await
        .map(drop)
}

/// Per key, the counts of the `days` days before its day, oldest first, and the count of
/// its day: one read for the batch.
async fn counts(
    txn: &DatabaseTransaction,
    days: usize,
    keys: &[(&str, &str, NaiveDate, usize)],
) -> Result<HashMap<(String, String, NaiveDate), (Vec<u32>, u32)>, DbErr> {
    let (Some(first), Some(last)) = (
        keys.iter().map(|k| k.2).min(),
        keys.iter().map(|k| k.2).max(),
    ) else {
        return Ok(HashMap::new());
    };
    let mut places = Condition::any();
    let mut pairs: Vec<(&str, &str)> = keys.iter().map(|k| (k.0, k.1)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    for (category, district) in pairs {
        places = places.add(
            Condition::all()
                .add(daily_count::Column::Category.eq(category))
                .add(daily_count::Column::District.eq(district)),
        );
    }
    let rows: Vec<(String, String, String, i32)> = daily_count::Entity::find()
        .select_only()
        .columns([
            daily_count::Column::Category,
            daily_count::Column::District,
            daily_count::Column::Day,
            daily_count::Column::Reports,
        ])
        .filter(places)
        .filter(daily_count::Column::Day.gte((first - Duration::days(days as i64)).to_string()))
        .filter(daily_count::Column::Day.lte(last.to_string()))
        .into_tuple()
        .all(txn)
        .await?;
    let mut found: HashMap<(String, String, NaiveDate), (Vec<u32>, u32)> = keys
        .iter()
        .map(|(c, d, day, _)| (((*c).to_owned(), (*d).to_owned(), *day), (vec![0; days], 0)))
        .collect();
    for (category, district, row_day, reports) in rows {
        let Ok(row_day) = row_day.parse::<NaiveDate>() else {
            continue;
        };
        let count = u32::try_from(reports).unwrap_or(0);
        for ((c, d, day), (history, today)) in found.iter_mut() {
            if *c != category || *d != district {
                continue;
            }
            let offset = (*day - row_day).num_days();
            if offset == 0 {
                *today = count;
            } else if let Some(slot) = usize::try_from(offset)
                .ok()
                .and_then(|o| days.checked_sub(o))
            {
                history[slot] = count;
            }
        }
    }
    Ok(found)
}

/// The classified reports of `category` in `district` on `day`.
async fn reports_of_day(
    txn: &DatabaseTransaction,
    category: &str,
    district: &str,
    day: NaiveDate,
) -> Result<Vec<Uuid>, DbErr> {
    use classification_district::Column;
    let start = day_start(day);
    classification_district::Entity::find()
        .select_only()
        .column(Column::ReportId)
        .filter(Column::Category.eq(category))
        .filter(Column::District.eq(district))
        .filter(Column::ReceivedAt.gte(start))
        .filter(Column::ReceivedAt.lt(start + Duration::days(1)))
        .into_tuple()
        .all(txn)
        .await
}

/// The calendar day in Shanghai (UTC+8, no daylight saving).
pub fn shanghai_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(8)).date_naive()
}

fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc() - Duration::hours(8))
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}
