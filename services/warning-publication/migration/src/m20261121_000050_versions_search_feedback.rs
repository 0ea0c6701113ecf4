//! What issue 7's second half needs: effective and expiry times, pending updates and
//! cancellation on warnings; every published version kept; full-text search that works for
//! Chinese; and the public's feedback (意见和建议).
//!
//! Search differs by backend. SQLite gets an FTS5 table with the trigram tokenizer (Chinese
//! has no spaces, so words cannot be tokens; trigrams match any substring of three or more
//! characters, and shorter ones still work through `LIKE`, by a scan). PostgreSQL gets a
//! `pg_trgm` GIN index on `search_text`, which serves `LIKE '%…%'`.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000050_versions_search_feedback"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        let columns = [
            timestamp_with_time_zone_null(Warnings::EffectiveAt),
            timestamp_with_time_zone_null(Warnings::ExpiresAt),
            string_null(Warnings::LastEditedBy),
            text_null(Warnings::ChangeNote),
            json_null(Warnings::Pending),
            string_null(Warnings::PendingBy),
            text_null(Warnings::PendingReason),
            text_null(Warnings::CancelReason),
            string_null(Warnings::CancelledBy),
            timestamp_with_time_zone_null(Warnings::CancelledAt),
            text(Warnings::SearchText).default("").to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Warnings::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(WarningVersions::Table)
                    .if_not_exists()
                    .col(uuid(WarningVersions::Id).primary_key())
                    .col(uuid(WarningVersions::WarningId))
                    .col(integer(WarningVersions::Version))
                    .col(json(WarningVersions::Snapshot))
                    .col(text_null(WarningVersions::Reason))
                    .col(string(WarningVersions::ApprovedBy))
                    .col(timestamp_with_time_zone(WarningVersions::PublishedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("warning_versions_by_warning")
                    .table(WarningVersions::Table)
                    .col(WarningVersions::WarningId)
                    .col(WarningVersions::Version)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Feedback::Table)
                    .if_not_exists()
                    .col(uuid(Feedback::Id).primary_key())
                    .col(text(Feedback::Message))
                    .col(string_null(Feedback::Contact))
                    .col(string(Feedback::Language))
                    .col(string(Feedback::Fingerprint))
                    .col(string(Feedback::Client))
                    .col(timestamp_with_time_zone(Feedback::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("feedback_by_fingerprint")
                    .table(Feedback::Table)
                    .col(Feedback::Fingerprint)
                    .col(Feedback::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS warning_search \
                     USING fts5(warning_id UNINDEXED, body, tokenize = 'trigram')",
                )
                .await?;
            }
            DbBackend::Postgres => {
                db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                    .await?;
                db.execute_unprepared(
                    "CREATE INDEX IF NOT EXISTS warnings_search_trgm \
                     ON warnings USING gin (search_text gin_trgm_ops)",
                )
                .await?;
            }
            DbBackend::MySql => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager
                .get_connection()
                .execute_unprepared("DROP TABLE IF EXISTS warning_search")
                .await?;
        }
        manager
            .drop_table(Table::drop().table(Feedback::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(WarningVersions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Warnings {
    Table,
    EffectiveAt,
    ExpiresAt,
    LastEditedBy,
    ChangeNote,
    Pending,
    PendingBy,
    PendingReason,
    CancelReason,
    CancelledBy,
    CancelledAt,
    SearchText,
}

#[derive(DeriveIden)]
enum WarningVersions {
    Table,
    Id,
    WarningId,
    Version,
    Snapshot,
    Reason,
    ApprovedBy,
    PublishedAt,
}

#[derive(DeriveIden)]
enum Feedback {
    Table,
    Id,
    Message,
    Contact,
    Language,
    Fingerprint,
    Client,
    CreatedAt,
}
