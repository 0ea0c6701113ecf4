//! Catalogue versions: the one in force, and replacing it with a new version.

use chrono::Utc;
use prism_contracts::{events::triage::CatalogueUpdated, Envelope};
use prism_messaging::Outbox;
use sea_orm::{
    sea_query::{Expr, Query},
    ActiveValue::Set,
    ColumnTrait as _, DatabaseConnection, DbErr, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, SqlErr, TransactionTrait as _,
};

use super::entities::{catalogue_version, classification, signal};
use crate::{
    domain::catalogue::{Catalogue, NewCatalogue},
    NAME,
};

/// Why a new catalogue was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ReplaceError {
    /// Categories that classifications or signals use are missing from the new version.
    #[error("the new catalogue would orphan {0:?}")]
    Orphans(Vec<String>),
    /// Another update got in first.
    #[error("another catalogue update got in first")]
    Raced,
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The version in force; the shipped catalogue becomes version 1 of a new installation.
pub async fn current_or_shipped(db: &DatabaseConnection) -> anyhow::Result<Catalogue> {
    if let Some(current) = current(db).await? {
        return Ok(current);
    }
    let shipped = Catalogue::shipped();
    let row = catalogue_version::ActiveModel {
        version: Set(i32::try_from(shipped.version)?),
        body: Set(serde_json::to_string(&shipped)?),
        current: Set(true),
        created_by: Set("shipped".to_owned()),
        created_at: Set(Utc::now()),
    };
    match catalogue_version::Entity::insert(row).exec(db).await {
        Ok(_) => Ok(shipped),
        // Another instance seeded it at the same moment.
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            current(db)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no catalogue in force"))
        }
        Err(error) => Err(error.into()),
    }
}

/// The version in force.
pub async fn current(db: &DatabaseConnection) -> anyhow::Result<Option<Catalogue>> {
    let row = catalogue_version::Entity::find()
        .filter(catalogue_version::Column::Current.eq(true))
        .one(db)
        .await?;
    row.map(|row| serde_json::from_str(&row.body).map_err(anyhow::Error::from))
        .transpose()
}

/// One version, in force or not.
pub async fn version(db: &DatabaseConnection, version: u32) -> anyhow::Result<Option<Catalogue>> {
    let row = catalogue_version::Entity::find_by_id(i32::try_from(version)?)
        .one(db)
        .await?;
    row.map(|row| serde_json::from_str(&row.body).map_err(anyhow::Error::from))
        .transpose()
}

/// Stores `new` as the next version and announces it, unless it would orphan categories
/// that classifications or signals use. `new` has been validated.
pub async fn replace(
    db: &DatabaseConnection,
    outbox: &Outbox,
    new: NewCatalogue,
    by: &str,
) -> Result<Catalogue, ReplaceError> {
    let txn = db.begin().await?;
    // A write first: it takes the write lock on SQLite and serialises updates everywhere.
    catalogue_version::Entity::update_many()
        .col_expr(catalogue_version::Column::Current, Expr::value(false))
        .filter(catalogue_version::Column::Current.eq(true))
        .exec(&txn)
        .await?;
    let mut orphans = Vec::new();
    for code in used_categories(&txn).await? {
        if !new.categories.iter().any(|c| c.code == code) {
            orphans.push(code);
        }
    }
    if !orphans.is_empty() {
        orphans.sort();
        return Err(ReplaceError::Orphans(orphans));
    }
    let latest: Option<i32> = catalogue_version::Entity::find()
        .select_only()
        .column(catalogue_version::Column::Version)
        .order_by_desc(catalogue_version::Column::Version)
        .into_tuple()
        .one(&txn)
        .await?;
    let version = u32::try_from(latest.unwrap_or(0)).unwrap_or(0) + 1;
    let catalogue = new.into_version(version);
    let now = Utc::now();
    let row = catalogue_version::ActiveModel {
        version: Set(i32::try_from(version).unwrap_or(i32::MAX)),
        body: Set(serde_json::to_string(&catalogue).map_err(|e| DbErr::Custom(e.to_string()))?),
        current: Set(true),
        created_by: Set(by.to_owned()),
        created_at: Set(now),
    };
    if let Err(error) = catalogue_version::Entity::insert(row).exec(&txn).await {
        if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
            return Err(ReplaceError::Raced);
        }
        return Err(error.into());
    }
    let event = CatalogueUpdated {
        version,
        categories: catalogue
            .categories
            .iter()
            .map(|c| c.code.clone())
            .collect(),
        updated_by: by.to_owned(),
        updated_at: now,
    };
    outbox.stage(&txn, &Envelope::new(NAME, event)).await?;
    txn.commit().await?;
    outbox.committed();
    Ok(catalogue)
}

/// Every category a classification (automatic or by hand) or a signal uses. A candidate
/// offered to a person is only a suggestion and does not hold a category in place.
async fn used_categories(txn: &impl sea_orm::ConnectionTrait) -> Result<Vec<String>, DbErr> {
    let mut select = Query::select();
    select
        .distinct()
        .column(classification::Column::Category)
        .from(classification::Entity)
        .and_where(classification::Column::Category.is_not_null())
        .union(
            sea_orm::sea_query::UnionType::Distinct,
            Query::select()
                .column(signal::Column::Category)
                .from(signal::Entity)
                .and_where(signal::Column::Category.is_not_null())
                .to_owned(),
        );
    let statement = txn.get_database_backend().build(&select);
    let rows = txn.query_all(statement).await?;
    rows.iter()
        .map(|row| row.try_get_by_index::<String>(0))
        .collect()
}
