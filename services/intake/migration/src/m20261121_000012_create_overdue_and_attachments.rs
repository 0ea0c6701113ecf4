//! Overdue notices (one per station and period, so an overdue event is raised once however
//! many instances watch and however often they restart) and report attachments.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000012_create_overdue_and_attachments"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OverdueNotices::Table)
                    .if_not_exists()
                    .col(uuid(OverdueNotices::StationId))
                    .col(string(OverdueNotices::Period))
                    .col(string(OverdueNotices::DueDate))
                    .col(uuid(OverdueNotices::EventId))
                    .col(timestamp_with_time_zone(OverdueNotices::DetectedAt))
                    .primary_key(
                        Index::create()
                            .col(OverdueNotices::StationId)
                            .col(OverdueNotices::Period),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Attachments::Table)
                    .if_not_exists()
                    .col(uuid(Attachments::ReportId))
                    .col(string(Attachments::Sha256))
                    .col(string(Attachments::MediaType))
                    .col(big_integer(Attachments::Size))
                    .col(string_null(Attachments::FileName))
                    .col(timestamp_with_time_zone(Attachments::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Attachments::ReportId)
                            .col(Attachments::Sha256),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("reports_by_period")
                    .table(Reports::Table)
                    .col(Reports::Period)
                    .col(Reports::Kind)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("reports_by_period")
                    .table(Reports::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            Attachments::Table.into_iden(),
            OverdueNotices::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OverdueNotices {
    Table,
    StationId,
    Period,
    DueDate,
    EventId,
    DetectedAt,
}

#[derive(DeriveIden)]
enum Attachments {
    Table,
    ReportId,
    Sha256,
    MediaType,
    Size,
    FileName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Period,
    Kind,
}
