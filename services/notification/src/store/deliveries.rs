//! Deliveries: one row per (alert or event, subscription, channel), created once; the
//! delivery worker is driven from these rows, so nothing pending is lost in a restart.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, OnConflict},
    ActiveValue::Set,
    ColumnTrait as _, Condition, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::entities::delivery;

/// A delivery to record.
pub struct NewDelivery<'a> {
    /// The alert id, or for other events the feed item id.
    pub item_id: Uuid,
    pub event: &'a str,
    pub subscription_id: Uuid,
    pub subscriber: &'a str,
    pub channel: &'a str,
    pub target: Option<serde_json::Value>,
    /// `delivered` (stream), `pending` (send now) or `digest` (wait for the digest).
    pub status: &'a str,
}

/// Records a delivery once; `false` if the same (item, subscription, channel) exists.
pub async fn add<C: ConnectionTrait>(conn: &C, new: NewDelivery<'_>) -> Result<bool, DbErr> {
    let now = Utc::now();
    let row = delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        alert_id: Set(new.item_id),
        subscription_id: Set(new.subscription_id),
        subscriber: Set(new.subscriber.to_owned()),
        channel: Set(new.channel.to_owned()),
        status: Set(new.status.to_owned()),
        attempts: Set(0),
        created_at: Set(now),
        delivered_at: Set((new.status == "delivered").then_some(now)),
        target: Set(new.target),
        event: Set(Some(new.event.to_owned())),
        next_attempt_at: Set((new.status == "pending").then_some(now)),
        claimed_until: Set(None),
        last_error: Set(None),
    };
    let inserted = delivery::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                delivery::Column::AlertId,
                delivery::Column::SubscriptionId,
                delivery::Column::Channel,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}

/// The deliveries of one alert.
pub async fn of_alert<C: ConnectionTrait>(
    conn: &C,
    alert_id: Uuid,
) -> Result<Vec<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::AlertId.eq(alert_id))
        .order_by_asc(delivery::Column::Id)
        .all(conn)
        .await
}

/// Pending deliveries due by `now` that no instance holds, oldest first.
pub async fn due<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::Status.eq("pending"))
        .filter(delivery::Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(delivery::Column::NextAttemptAt)
        .limit(limit)
        .all(conn)
        .await
}

/// Takes a delivery in `status` until `until`; `false` if another instance got it first.
pub async fn claim<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    status: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = delivery::Entity::update_many()
        .col_expr(delivery::Column::ClaimedUntil, Expr::value(until))
        .filter(delivery::Column::Id.eq(id))
        .filter(delivery::Column::Status.eq(status))
        .filter(
            Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lt(now)),
        )
        .exec(conn)
        .await?;
    Ok(result.rows_affected == 1)
}

/// What an attempt came to.
pub enum Settled<'a> {
    Delivered,
    /// Try again at the given time.
    Retry(DateTime<Utc>, &'a str),
    /// The last attempt failed.
    Failed(&'a str),
    /// Not tried (the target's breaker is open): due again then, attempts unchanged.
    Deferred(DateTime<Utc>),
}

/// Records an attempt's outcome and releases the claim.
pub async fn settle<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    attempts: i32,
    outcome: Settled<'_>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let update = delivery::Entity::update_many()
        .col_expr(delivery::Column::Attempts, Expr::value(attempts))
        .col_expr(
            delivery::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        );
    let update = match outcome {
        Settled::Delivered => update
            .col_expr(delivery::Column::Status, Expr::value("delivered"))
            .col_expr(delivery::Column::DeliveredAt, Expr::value(now))
            .col_expr(
                delivery::Column::NextAttemptAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            ),
        Settled::Retry(at, error) => update
            .col_expr(delivery::Column::NextAttemptAt, Expr::value(at))
            .col_expr(delivery::Column::LastError, Expr::value(error)),
        Settled::Failed(error) => update
            .col_expr(delivery::Column::Status, Expr::value("failed"))
            .col_expr(delivery::Column::LastError, Expr::value(error))
            .col_expr(
                delivery::Column::NextAttemptAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            ),
        Settled::Deferred(at) => update.col_expr(delivery::Column::NextAttemptAt, Expr::value(at)),
    };
    update
        .filter(delivery::Column::Id.eq(id))
        .exec(conn)
        .await
        .map(drop)
}

/// Deliveries waiting for the email digest that no instance holds.
pub async fn waiting_for_digest<C: ConnectionTrait>(
    conn: &C,
    now: DateTime<Utc>,
) -> Result<Vec<delivery::Model>, DbErr> {
    delivery::Entity::find()
        .filter(delivery::Column::Status.eq("digest"))
        .filter(
            Condition::any()
                .add(delivery::Column::ClaimedUntil.is_null())
                .add(delivery::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(delivery::Column::Id)
        .limit(10_000)
        .all(conn)
        .await
}

/// Marks claimed digest deliveries sent, or releases them for the next digest.
pub async fn digest_done<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
    sent: bool,
) -> Result<u64, DbErr> {
    let update = delivery::Entity::update_many().col_expr(
        delivery::Column::ClaimedUntil,
        Expr::value(Option::<DateTime<Utc>>::None),
    );
    let update = if sent {
        update
            .col_expr(delivery::Column::Status, Expr::value("delivered"))
            .col_expr(delivery::Column::DeliveredAt, Expr::value(Utc::now()))
            .col_expr(delivery::Column::Attempts, Expr::value(1))
    } else {
        update
    };
    let result = update
        .filter(delivery::Column::Id.is_in(ids.iter().copied()))
        .filter(delivery::Column::Status.eq("digest"))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}
