//! Subscriptions, alerts, deliveries and the feed of stream events.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000050_create_notification"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Subscriptions::Table)
                    .if_not_exists()
                    .col(uuid(Subscriptions::Id).primary_key())
                    .col(string(Subscriptions::Owner))
                    .col(string(Subscriptions::Channel))
                    .col(json(Subscriptions::Target))
                    .col(json(Subscriptions::Filters))
                    .col(timestamp_with_time_zone(Subscriptions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("subscriptions_by_owner")
                    .table(Subscriptions::Table)
                    .col(Subscriptions::Owner)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Alerts::Table)
                    .if_not_exists()
                    .col(uuid(Alerts::Id).primary_key())
                    .col(uuid(Alerts::ReportId))
                    .col(string(Alerts::Level))
                    .col(string_null(Alerts::Category))
                    .col(text(Alerts::DistrictIndex))
                    .col(json(Alerts::Data))
                    .col(timestamp_with_time_zone(Alerts::RaisedAt))
                    .col(timestamp_with_time_zone(Alerts::RecordedAt))
                    .col(timestamp_with_time_zone_null(Alerts::AcknowledgedAt))
                    .col(string_null(Alerts::AcknowledgedBy))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Deliveries::Table)
                    .if_not_exists()
                    .col(uuid(Deliveries::Id).primary_key())
                    .col(uuid(Deliveries::AlertId))
                    .col(uuid(Deliveries::SubscriptionId))
                    .col(string(Deliveries::Subscriber))
                    .col(string(Deliveries::Channel))
                    .col(string(Deliveries::Status))
                    .col(integer(Deliveries::Attempts))
                    .col(timestamp_with_time_zone(Deliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(Deliveries::DeliveredAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("deliveries_once")
                    .table(Deliveries::Table)
                    .col(Deliveries::AlertId)
                    .col(Deliveries::SubscriptionId)
                    .col(Deliveries::Channel)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Feed::Table)
                    .if_not_exists()
                    .col(uuid(Feed::Id).primary_key())
                    .col(string(Feed::Event))
                    .col(string(Feed::Level))
                    .col(string_null(Feed::Category))
                    .col(text(Feed::DistrictIndex))
                    .col(json(Feed::Data))
                    .col(timestamp_with_time_zone(Feed::At))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Feed::Table.into_iden(),
            Deliveries::Table.into_iden(),
            Alerts::Table.into_iden(),
            Subscriptions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Subscriptions {
    Table,
    Id,
    Owner,
    Channel,
    Target,
    Filters,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    Id,
    ReportId,
    Level,
    Category,
    DistrictIndex,
    Data,
    RaisedAt,
    RecordedAt,
    AcknowledgedAt,
    AcknowledgedBy,
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Id,
    AlertId,
    SubscriptionId,
    Subscriber,
    Channel,
    Status,
    Attempts,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum Feed {
    Table,
    Id,
    Event,
    Level,
    Category,
    DistrictIndex,
    Data,
    At,
}
