//! Reports, idempotency records and the timeline projection.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000010_create_stations::Stations;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000011_create_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .if_not_exists()
                    .col(uuid(Reports::Id).primary_key())
                    .col(uuid(Reports::StationId))
                    .col(string(Reports::Kind))
                    .col(string(Reports::Product))
                    .col(string_null(Reports::Category))
                    .col(integer_null(Reports::EnterpriseCount))
                    .col(json(Reports::Districts))
                    .col(text(Reports::DistrictIndex))
                    .col(text(Reports::Content))
                    .col(text_null(Reports::Analysis))
                    .col(text_null(Reports::Recommendation))
                    .col(text_null(Reports::Source))
                    .col(json(Reports::Hazards))
                    .col(integer_null(Reports::Deaths))
                    .col(integer_null(Reports::Injuries))
                    .col(timestamp_with_time_zone_null(Reports::OccurredAt))
                    .col(string_null(Reports::ReporterName))
                    .col(string_null(Reports::ReporterPhone))
                    .col(json_null(Reports::Ecommerce))
                    .col(string(Reports::Status))
                    .col(string(Reports::Period))
                    .col(timestamp_with_time_zone(Reports::ReceivedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reports::Table, Reports::StationId)
                            .to(Stations::Table, Stations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("reports_by_station")
                    .table(Reports::Table)
                    .col(Reports::StationId)
                    .col(Reports::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Idempotency::Table)
                    .if_not_exists()
                    .col(uuid(Idempotency::StationId))
                    .col(string(Idempotency::Key))
                    .col(string(Idempotency::RequestHash))
                    .col(integer(Idempotency::Status))
                    .col(text(Idempotency::Body))
                    .col(timestamp_with_time_zone(Idempotency::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(Idempotency::StationId)
                            .col(Idempotency::Key),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Timeline::Table)
                    .if_not_exists()
                    .col(uuid(Timeline::Id).primary_key())
                    .col(uuid(Timeline::ReportId))
                    .col(string(Timeline::Step))
                    .col(timestamp_with_time_zone(Timeline::At))
                    .col(json(Timeline::Detail))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("timeline_by_report")
                    .table(Timeline::Table)
                    .col(Timeline::ReportId)
                    .col(Timeline::At)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Timeline::Table.into_iden(),
            Idempotency::Table.into_iden(),
            Reports::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    StationId,
    Kind,
    Product,
    Category,
    EnterpriseCount,
    Districts,
    DistrictIndex,
    Content,
    Analysis,
    Recommendation,
    Source,
    Hazards,
    Deaths,
    Injuries,
    OccurredAt,
    ReporterName,
    ReporterPhone,
    Ecommerce,
    Status,
    Period,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Idempotency {
    Table,
    StationId,
    Key,
    RequestHash,
    Status,
    Body,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Timeline {
    Table,
    Id,
    ReportId,
    Step,
    At,
    Detail,
}
