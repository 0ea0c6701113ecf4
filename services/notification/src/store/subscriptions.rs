//! Subscriptions.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::entities::subscription;
use crate::domain::subscription::{Channel, Filters};

/// A subscription as stored and shown.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Subscription {
    pub id: Uuid,
    pub owner: String,
    pub channel: Channel,
    pub filters: Filters,
    /// The owner's districts when they subscribed (a district bureau hears only of those).
    pub scope: Option<Vec<String>>,
    pub created_at: chrono::DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct Target {
    channel: Channel,
    scope: Option<Vec<String>>,
}

impl Subscription {
    fn from_row(row: subscription::Model) -> Option<Self> {
        let target: Target = serde_json::from_value(row.target).ok()?;
        Some(Self {
            id: row.id,
            owner: row.owner,
            channel: target.channel,
            filters: serde_json::from_value(row.filters).ok()?,
            scope: target.scope,
            created_at: row.created_at,
        })
    }

    /// As shown to people: a webhook's secret is never shown again.
    pub fn redacted(mut self) -> Self {
        if let Channel::Webhook { secret, .. } = &mut self.channel {
            *secret = "********".to_owned();
        }
        self
    }

    /// Whether an item reaches this subscription (its filters and its owner's scope).
    pub fn wants(&self, item: &crate::domain::feed::FeedItem) -> bool {
        let in_scope = self
            .scope
            .as_ref()
            .is_none_or(|scope| item.districts.iter().any(|d| scope.contains(d)));
        in_scope && self.filters.matches(item)
    }
}

/// Stores a subscription.
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
    channel: Channel,
    filters: Filters,
    scope: Option<Vec<String>>,
) -> Result<Subscription, DbErr> {
    let row = subscription::ActiveModel {
        id: Set(Uuid::now_v7()),
        owner: Set(owner.to_owned()),
        channel: Set(channel.name().to_owned()),
        target: Set(serde_json::to_value(Target { channel, scope }).unwrap_or_default()),
        filters: Set(serde_json::to_value(filters).unwrap_or_default()),
        created_at: Set(Utc::now()),
    };
    let stored = subscription::Entity::insert(row)
        .exec_with_returning(conn)
        .await?;
    Subscription::from_row(stored)
        .ok_or_else(|| DbErr::Custom("stored subscription does not read back".into()))
}

/// A regulator's own subscriptions.
pub async fn of_owner<C: ConnectionTrait>(
    conn: &C,
    owner: &str,
) -> Result<Vec<Subscription>, DbErr> {
    let rows = subscription::Entity::find()
        .filter(subscription::Column::Owner.eq(owner))
        .order_by_asc(subscription::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(Subscription::from_row)
        .collect())
}

/// Every subscription, on every channel.
pub async fn all<C: ConnectionTrait>(conn: &C) -> Result<Vec<Subscription>, DbErr> {
    let rows = subscription::Entity::find()
        .order_by_asc(subscription::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(Subscription::from_row)
        .collect())
}

/// Deletes a subscription, only the owner's when `owner` is given; `false` if there is
/// none with that id.
pub async fn delete<C: ConnectionTrait>(
    conn: &C,
    owner: Option<&str>,
    id: Uuid,
) -> Result<bool, DbErr> {
    let mut query = subscription::Entity::delete_many().filter(subscription::Column::Id.eq(id));
    if let Some(owner) = owner {
        query = query.filter(subscription::Column::Owner.eq(owner));
    }
    let result = query.exec(conn).await?;
    Ok(result.rows_affected == 1)
}
