//! Deliveries driven from the table: each row carries its target, when it is next due,
//! who holds it (a lease, so two instances never send it twice) and its last error.
//! Alerts record their escalation.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000060_delivery_attempts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let delivery_columns = [
            json_null(Deliveries::Target),
            string_null(Deliveries::Event),
            timestamp_with_time_zone_null(Deliveries::NextAttemptAt),
            timestamp_with_time_zone_null(Deliveries::ClaimedUntil),
            text_null(Deliveries::LastError),
        ];
        for mut column in delivery_columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deliveries::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("deliveries_due")
                    .table(Deliveries::Table)
                    .col(Deliveries::Status)
                    .col(Deliveries::NextAttemptAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        for mut column in [
            timestamp_with_time_zone_null(Alerts::EscalatedAt),
            json_null(Alerts::EscalatedTo),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alerts::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name("deliveries_due").to_owned())
            .await?;
        for column in [
            Deliveries::Target,
            Deliveries::Event,
            Deliveries::NextAttemptAt,
            Deliveries::ClaimedUntil,
            Deliveries::LastError,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Deliveries::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for column in [Alerts::EscalatedAt, Alerts::EscalatedTo] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alerts::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Deliveries {
    Table,
    Target,
    Event,
    NextAttemptAt,
    ClaimedUntil,
    LastError,
    Status,
}

#[derive(DeriveIden)]
enum Alerts {
    Table,
    EscalatedAt,
    EscalatedTo,
}
