//! Cases (one per alert, or opened by hand) and their decisions, one row per version.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000030_create_cases"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Cases::Table)
                    .if_not_exists()
                    .col(uuid(Cases::Id).primary_key())
                    // Unique, so that an alert delivered twice (or re-announced under a new
                    // event id) still opens one case; NULL for cases opened by hand.
                    .col(uuid_null(Cases::AlertId).unique_key())
                    .col(json(Cases::ReportIds))
                    .col(string(Cases::Product))
                    .col(string_null(Cases::Category))
                    .col(json(Cases::Districts))
                    .col(text(Cases::DistrictIndex))
                    .col(string_null(Cases::InitialLevel))
                    .col(string(Cases::Status))
                    .col(timestamp_with_time_zone_null(Cases::Deadline))
                    // The chain of events the case belongs to, so its decisions continue the
                    // report's trace.
                    .col(uuid_null(Cases::CorrelationId))
                    .col(string(Cases::OpenedBy))
                    .col(timestamp_with_time_zone(Cases::OpenedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Decisions::Table)
                    .if_not_exists()
                    .col(uuid(Decisions::Id).primary_key())
                    .col(uuid(Decisions::CaseId))
                    .col(integer(Decisions::Version))
                    .col(string(Decisions::RiskLevel))
                    .col(string_null(Decisions::ComputedLevel))
                    .col(text_null(Decisions::OverrideReason))
                    .col(json(Decisions::Measures))
                    .col(text_null(Decisions::Responsible))
                    .col(timestamp_with_time_zone_null(Decisions::ActBy))
                    .col(json_null(Decisions::Warning))
                    .col(string(Decisions::DecidedBy))
                    .col(timestamp_with_time_zone(Decisions::DecidedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Decisions::Table, Decisions::CaseId)
                            .to(Cases::Table, Cases::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Decisions are append-only: two regulators deciding at once cannot both write the
        // same version.
        manager
            .create_index(
                Index::create()
                    .name("decisions_case_version")
                    .table(Decisions::Table)
                    .col(Decisions::CaseId)
                    .col(Decisions::Version)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Decisions::Table.into_iden(), Cases::Table.into_iden()] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    AlertId,
    ReportIds,
    Product,
    Category,
    Districts,
    DistrictIndex,
    InitialLevel,
    Status,
    Deadline,
    CorrelationId,
    OpenedBy,
    OpenedAt,
}

#[derive(DeriveIden)]
enum Decisions {
    Table,
    Id,
    CaseId,
    Version,
    RiskLevel,
    ComputedLevel,
    OverrideReason,
    Measures,
    Responsible,
    ActBy,
    Warning,
    DecidedBy,
    DecidedAt,
}
