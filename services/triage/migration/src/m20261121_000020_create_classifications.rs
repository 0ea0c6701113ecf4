//! Classifications of reports and the alerts raised for important ones.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000020_create_classifications"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Classifications::Table)
                    .if_not_exists()
                    .col(uuid(Classifications::ReportId).primary_key())
                    .col(uuid(Classifications::StationId))
                    .col(string(Classifications::Kind))
                    .col(string(Classifications::Product))
                    .col(json(Classifications::Districts))
                    .col(string_null(Classifications::Category))
                    .col(double(Classifications::Confidence))
                    .col(json(Classifications::Hazards))
                    .col(boolean(Classifications::Important))
                    .col(string_null(Classifications::ImportanceReason))
                    .col(integer(Classifications::CatalogueVersion))
                    .col(timestamp_with_time_zone(Classifications::ReceivedAt))
                    .col(timestamp_with_time_zone(Classifications::ClassifiedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alerts::Table)
                    .if_not_exists()
                    .col(uuid(Alerts::Id).primary_key())
                    .col(uuid(Alerts::ReportId).unique_key())
                    .col(string(Alerts::Level))
                    .col(string(Alerts::Reason))
                    .col(timestamp_with_time_zone(Alerts::RaisedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alerts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Classifications::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Classifications {
    Table,
    ReportId,
    StationId,
    Kind,
    Product,
    Districts,
    Category,
    Confidence,
    Hazards,
    Important,
    ImportanceReason,
    CatalogueVersion,
    ReceivedAt,
    ClassifiedAt,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    ReportId,
    Level,
    Reason,
    RaisedAt,
}
