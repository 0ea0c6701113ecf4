//! The replayable feed of stream events.

use chrono::Utc;
use prism_contracts::RiskLevel;
use sea_orm::{
    sea_query::OnConflict, ActiveValue::Set, ColumnTrait as _, ConnectionTrait, DbErr,
    EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use uuid::Uuid;

use super::entities::feed;
use crate::domain::{district, feed::FeedItem};

/// How long the feed is kept for replay.
pub const RETENTION_DAYS: i64 = 7;

/// Appends an item once (its id is the key); `false` if it was there already.
pub async fn append<C: ConnectionTrait>(conn: &C, item: &FeedItem) -> Result<bool, DbErr> {
    let row = feed::ActiveModel {
        id: Set(item.id),
        event: Set(item.event.to_owned()),
        level: Set(item
            .level
            .map(|l| l.as_str().to_owned())
            .unwrap_or_default()),
        category: Set(item.category.clone()),
        district_index: Set(district::index(&item.districts)),
        data: Set(item.data.clone()),
        at: Set(Utc::now()),
    };
    let inserted = feed::Entity::insert(row)
        .on_conflict(OnConflict::column(feed::Column::Id).do_nothing().to_owned())
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}

/// One item, if the feed still holds it.
pub async fn find<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<FeedItem>, DbErr> {
    Ok(feed::Entity::find_by_id(id).one(conn).await?.map(to_item))
}

/// Whether the feed still holds `id`.
pub async fn holds<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<bool, DbErr> {
    Ok(feed::Entity::find_by_id(id).one(conn).await?.is_some())
}

/// Items after `id`, oldest first, at most `limit`.
pub async fn after<C: ConnectionTrait>(
    conn: &C,
    id: Uuid,
    limit: u64,
) -> Result<Vec<FeedItem>, DbErr> {
    let rows = feed::Entity::find()
        .filter(feed::Column::Id.gt(id))
        .order_by_asc(feed::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(to_item).collect())
}

/// Drops what is older than the retention.
pub async fn prune<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    let cutoff = Utc::now() - chrono::Duration::days(RETENTION_DAYS);
    let result = feed::Entity::delete_many()
        .filter(feed::Column::At.lt(cutoff))
        .exec(conn)
        .await?;
    Ok(result.rows_affected)
}

fn to_item(row: feed::Model) -> FeedItem {
    let (event, event_type) = FeedItem::kind(&row.event);
    FeedItem {
        id: row.id,
        event,
        event_type,
        level: RiskLevel::parse(&row.level),
        category: row.category,
        districts: district::from_index(&row.district_index),
        data: row.data,
    }
}
