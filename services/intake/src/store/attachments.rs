//! Attachments: the bytes under the data folder by SHA-256 (written once, shared by every
//! report that links the same file), the links in the database.

use std::path::{Path, PathBuf};

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait as _, DatabaseConnection, DbErr, EntityTrait as _,
    QueryFilter as _, QueryOrder as _, SqlErr,
};
use uuid::Uuid;

use super::entities::attachment;

/// Where a file with this hash lives: `<data_dir>/attachments/ab/abcdef…`.
pub fn path_of(data_dir: &Path, sha256: &str) -> PathBuf {
    data_dir
        .join("attachments")
        .join(sha256.get(..2).unwrap_or("00"))
        .join(sha256)
}

/// Writes the bytes once: to a temporary file first, then renamed into place, so a reader
/// never sees half a file and a crash leaves no corrupt one.
pub async fn save_bytes(data_dir: &Path, sha256: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = path_of(data_dir, sha256);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(());
    }
    let folder = path.parent().unwrap_or(data_dir);
    tokio::fs::create_dir_all(folder).await?;
    let temporary = folder.join(format!(".{sha256}.{}", Uuid::new_v4()));
    tokio::fs::write(&temporary, bytes).await?;
    let file = tokio::fs::File::open(&temporary).await?;
    // Durable before it is linked: the database row must never point at nothing.
    file.sync_all().await?;
    tokio::fs::rename(&temporary, &path).await
}

/// What linking came to.
pub enum Linked {
    New(attachment::Model),
    /// The report already had this file.
    Existing(attachment::Model),
}

/// Links a saved file to a report.
pub async fn link(
    db: &DatabaseConnection,
    report_id: Uuid,
    sha256: &str,
    media_type: &str,
    size: i64,
    file_name: Option<String>,
) -> Result<Linked, DbErr> {
    let row = attachment::Model {
        report_id,
        sha256: sha256.to_owned(),
        media_type: media_type.to_owned(),
        size,
        file_name,
        created_at: Utc::now(),
    };
    match attachment::Entity::insert(attachment::ActiveModel {
        report_id: Set(row.report_id),
        sha256: Set(row.sha256.clone()),
        media_type: Set(row.media_type.clone()),
        size: Set(row.size),
        file_name: Set(row.file_name.clone()),
        created_at: Set(row.created_at),
    })
    .exec(db)
    .await
    {
        Ok(_) => Ok(Linked::New(row)),
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            find(db, report_id, sha256)
                .await?
                .map(Linked::Existing)
                .ok_or(error)
        }
        Err(error) => Err(error),
    }
}

/// One attachment of a report.
pub async fn find(
    db: &DatabaseConnection,
    report_id: Uuid,
    sha256: &str,
) -> Result<Option<attachment::Model>, DbErr> {
    attachment::Entity::find_by_id((report_id, sha256.to_owned()))
        .one(db)
        .await
}

/// A report's attachments, oldest first.
pub async fn of(db: &DatabaseConnection, report_id: Uuid) -> Result<Vec<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::ReportId.eq(report_id))
        .order_by_asc(attachment::Column::CreatedAt)
        .all(db)
        .await
}
