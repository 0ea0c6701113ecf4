//! Alerts, their deliveries and acknowledgements.

use chrono::Utc;
use prism_contracts::events::triage::AlertRaised;
use sea_orm::{
    sea_query::Expr, ActiveValue::Set, ColumnTrait as _, Condition, ConnectionTrait, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::entities::{alert, delivery};
use crate::domain::district;

/// Records an alert as received.
pub async fn record<C: ConnectionTrait>(conn: &C, alert: &AlertRaised) -> Result<(), DbErr> {
    let row = alert::ActiveModel {
        id: Set(alert.alert_id),
        report_id: Set(alert.report_id),
        level: Set(alert.level.as_str().to_owned()),
        category: Set(alert.category.clone()),
        district_index: Set(district::index(&alert.districts)),
        data: Set(serde_json::to_value(alert).unwrap_or_default()),
        raised_at: Set(alert.raised_at),
        recorded_at: Set(Utc::now()),
        acknowledged_at: Set(None),
        acknowledged_by: Set(None),
    };
    alert::Entity::insert(row).exec(conn).await.map(drop)
}

/// Records one delivery; the unique index makes a second one for the same alert,
/// subscription and channel impossible.
pub async fn add_delivery<C: ConnectionTrait>(
    conn: &C,
    alert_id: Uuid,
    subscription_id: Uuid,
    subscriber: &str,
    channel: &str,
    status: &str,
) -> Result<(), DbErr> {
    let row = delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        alert_id: Set(alert_id),
        subscription_id: Set(subscription_id),
        subscriber: Set(subscriber.to_owned()),
        channel: Set(channel.to_owned()),
        status: Set(status.to_owned()),
        attempts: Set(0),
        created_at: Set(Utc::now()),
        delivered_at: Set(None),
    };
    delivery::Entity::insert(row).exec(conn).await.map(drop)
}

/// One alert.
pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<alert::Model>, DbErr> {
    alert::Entity::find_by_id(id).one(conn).await
}

/// Newest first, optionally only those involving one of `districts`.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    districts: Option<&[String]>,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<alert::Model>, DbErr> {
    let mut query = alert::Entity::find().order_by_desc(alert::Column::Id);
    if let Some(districts) = districts {
        let any = districts.iter().fold(Condition::any(), |any, code| {
            any.add(alert::Column::DistrictIndex.like(format!("%,{code},%")))
        });
        query = query.filter(any);
    }
    if let Some(before) = before {
        query = query.filter(alert::Column::Id.lt(before));
    }
    query.limit(limit + 1).all(conn).await
}

/// The deliveries of one alert.
pub async fn deliveries<C: ConnectionTrait>(
    conn: &C,
    alert_id: Uuid,
) -> Result<Vec<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::AlertId.eq(alert_id))
        .order_by_asc(delivery::Column::Id)
        .all(conn)
        .await
}

/// Acknowledges an alert; the first acknowledgement stands.
pub async fn acknowledge<C: ConnectionTrait>(conn: &C, id: Uuid, by: &str) -> Result<(), DbErr> {
    alert::Entity::update_many()
        .col_expr(alert::Column::AcknowledgedAt, Expr::value(Utc::now()))
        .col_expr(alert::Column::AcknowledgedBy, Expr::value(by))
        .filter(alert::Column::Id.eq(id))
        .filter(alert::Column::AcknowledgedAt.is_null())
        .exec(conn)
        .await
        .map(drop)
}
