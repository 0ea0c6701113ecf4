//! Surges in the pipeline: each classified report adds one to its category's count in each
//! of its districts for its day; when a count stands out against its baseline
//! (`domain::surge`), a surge signal holds that day's reports there.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use prism_contracts::{
    events::triage::{ReportClassified, SignalUpdated},
    Envelope,
};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::{Alias, Expr, OnConflict},
    ActiveModelTrait as _,
    ActiveValue::Set,
    ColumnTrait as _, DatabaseTransaction, DbErr, EntityTrait as _, QueryFilter as _,
    QuerySelect as _,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    classifications,
    clustering::open,
    entities::{classification, daily_count, signal, signal_report},
    signals,
};
use crate::{domain::surge::SurgeTest, NAME};

/// Counts `report` and opens or grows the surge signal of each of its districts whose count
/// today stands out.
pub async fn count_and_check(
    test: &SurgeTest,
    txn: &DatabaseTransaction,
    outbox: &Outbox,
    cause: &Envelope<ReportClassified>,
    report: &classification::Model,
    category: &str,
) -> Result<(), DbErr> {
    let day = shanghai_day(report.received_at);
    let days = test.history_days;
    let first = (day - Duration::days(days as i64)).to_string();
    for district in classifications::districts(report) {
        daily_count::Entity::insert(daily_count::ActiveModel {
            category: Set(category.to_owned()),
            district: Set(district.clone()),
            day: Set(day.to_string()),
            reports: Set(1),
        })
        .on_conflict(
            OnConflict::columns([
                daily_count::Column::Category,
                daily_count::Column::District,
                daily_count::Column::Day,
            ])
            .value(
                daily_count::Column::Reports,
                Expr::col((daily_count::Entity, daily_count::Column::Reports)).add(1),
            )
            .to_owned(),
        )
        .exec(txn)
        .await?;
        let rows: Vec<(String, i32)> = daily_count::Entity::find()
            .select_only()
            .column(daily_count::Column::Day)
            .column(daily_count::Column::Reports)
            .filter(daily_count::Column::Category.eq(category))
            .filter(daily_count::Column::District.eq(district.as_str()))
            .filter(daily_count::Column::Day.gte(first.as_str()))
            .filter(daily_count::Column::Day.lte(day.to_string()))
            .into_tuple()
            .all(txn)
            .await?;
        let mut history = vec![0u32; days];
        let mut today = 0;
        for (row_day, reports) in rows {
            let Ok(row_day) = row_day.parse::<NaiveDate>() else {
                continue;
            };
            let count = u32::try_from(reports).unwrap_or(0);
            let offset = (day - row_day).num_days();
            if offset == 0 {
                today = count;
            } else if let Some(slot) = usize::try_from(offset)
                .ok()
                .and_then(|o| days.checked_sub(o))
            {
                history[slot] = count;
            }
        }
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
        match existing {
            None => {
                let reports = reports_of_day(txn, category, &district, day).await?;
                let opened = open(txn, outbox, cause, report, &reports, "surge").await?;
                let mut active: signal::ActiveModel = opened.into();
                active.surge_key = Set(Some(key));
                let opened = active.update(txn).await?;
                signals::audit(txn, opened.id, "surge", None, None, detail).await?;
            }
            Some(existing) if signals::ACTIVE.contains(&existing.status.as_str()) => {
                let member = signal_report::Entity::find_by_id((existing.id, report.report_id))
                    .one(txn)
                    .await?;
                if member.is_some() {
                    continue;
                }
                let signal = signals::join(txn, existing, report).await?;
                let event = SignalUpdated {
                    signal: signals::snapshot(txn, &signal).await?,
                    change: "report_added".to_owned(),
                    by: None,
                    reason: Some(format!("surge: {today} reports today")),
                    updated_at: Utc::now(),
                };
                outbox
                    .stage(txn, &Envelope::caused_by(NAME, cause, event))
                    .await?;
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// The classified reports of `category` in `district` on `day`.
async fn reports_of_day(
    txn: &DatabaseTransaction,
    category: &str,
    district: &str,
    day: NaiveDate,
) -> Result<Vec<Uuid>, DbErr> {
    let start = day_start(day);
    classification::Entity::find()
        .select_only()
        .column(classification::Column::ReportId)
        .filter(classification::Column::Category.eq(category))
        .filter(
            Expr::col(classification::Column::Districts)
                .cast_as(Alias::new("text"))
                .like(format!("%\"{district}\"%")),
        )
        .filter(classification::Column::ReceivedAt.gte(start))
        .filter(classification::Column::ReceivedAt.lt(start + Duration::days(1)))
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
