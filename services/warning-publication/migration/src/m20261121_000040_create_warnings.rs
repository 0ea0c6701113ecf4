//! Warnings (drafts, published and cancelled) and the audit trail of every state change.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000040_create_warnings"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Warnings::Table)
                    .if_not_exists()
                    .col(uuid(Warnings::Id).primary_key())
                    .col(string(Warnings::Status))
                    .col(string(Warnings::WarningType))
                    .col(string(Warnings::TitleZh))
                    .col(text(Warnings::SummaryZh))
                    .col(text(Warnings::AdviceZh))
                    .col(string_null(Warnings::TitleEn))
                    .col(text_null(Warnings::SummaryEn))
                    .col(text_null(Warnings::AdviceEn))
                    .col(string(Warnings::Level))
                    .col(string_null(Warnings::Category))
                    .col(json(Warnings::Districts))
                    .col(text(Warnings::DistrictIndex))
                    .col(uuid_null(Warnings::CaseId))
                    .col(json(Warnings::ReportIds))
                    .col(string(Warnings::DraftedBy))
                    .col(string_null(Warnings::ApprovedBy))
                    .col(integer(Warnings::Version))
                    .col(timestamp_with_time_zone(Warnings::CreatedAt))
                    .col(timestamp_with_time_zone(Warnings::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Warnings::PublishedAt))
                    .to_owned(),
            )
            .await?;
        // The public list: published warnings, newest publication first.
        manager
            .create_index(
                Index::create()
                    .name("warnings_by_status_published")
                    .table(Warnings::Table)
                    .col(Warnings::Status)
                    .col(Warnings::PublishedAt)
                    .col(Warnings::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WarningAudit::Table)
                    .if_not_exists()
                    .col(uuid(WarningAudit::Id).primary_key())
                    .col(uuid(WarningAudit::WarningId))
                    .col(string(WarningAudit::Action))
                    .col(string(WarningAudit::Actor))
                    .col(timestamp_with_time_zone(WarningAudit::At))
                    .col(json(WarningAudit::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WarningAudit::Table, WarningAudit::WarningId)
                            .to(Warnings::Table, Warnings::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("warning_audit_by_warning")
                    .table(WarningAudit::Table)
                    .col(WarningAudit::WarningId)
                    .col(WarningAudit::At)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WarningAudit::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Warnings::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Warnings {
    Table,
    Id,
    Status,
    WarningType,
    TitleZh,
    SummaryZh,
    AdviceZh,
    TitleEn,
    SummaryEn,
    AdviceEn,
    Level,
    Category,
    Districts,
    DistrictIndex,
    CaseId,
    ReportIds,
    DraftedBy,
    ApprovedBy,
    Version,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
}

#[derive(DeriveIden)]
enum WarningAudit {
    Table,
    Id,
    WarningId,
    Action,
    Actor,
    At,
    Detail,
}
