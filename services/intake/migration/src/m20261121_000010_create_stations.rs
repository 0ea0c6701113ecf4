//! Stations and their API keys.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000010_create_stations"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Stations::Table)
                    .if_not_exists()
                    .col(uuid(Stations::Id).primary_key())
                    .col(string(Stations::Code).unique_key())
                    .col(string(Stations::Name))
                    .col(string(Stations::Kind))
                    .col(json(Stations::Districts))
                    .col(string_null(Stations::ContactName))
                    .col(string_null(Stations::ContactPhone))
                    .col(timestamp_with_time_zone(Stations::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(StationKeys::Table)
                    .if_not_exists()
                    .col(string(StationKeys::Id).primary_key())
                    .col(uuid(StationKeys::StationId))
                    .col(string(StationKeys::Hash).unique_key())
                    .col(timestamp_with_time_zone(StationKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(StationKeys::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(StationKeys::Table, StationKeys::StationId)
                            .to(Stations::Table, Stations::Id),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(StationKeys::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Stations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Stations {
    Table,
    Id,
    Code,
    Name,
    Kind,
    Districts,
    ContactName,
    ContactPhone,
    CreatedAt,
}

#[derive(DeriveIden)]
enum StationKeys {
    Table,
    Id,
    StationId,
    Hash,
    CreatedAt,
    RevokedAt,
}
