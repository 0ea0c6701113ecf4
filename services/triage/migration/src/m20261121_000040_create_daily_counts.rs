//! Reports per category, district and day: the surge test reads a month of these instead of
//! counting reports, so a burst of thousands stays cheap.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000040_create_daily_counts"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(DailyCounts::Table)
                    .if_not_exists()
                    .col(string(DailyCounts::Category))
                    .col(string(DailyCounts::District))
                    .col(string(DailyCounts::Day))
                    .col(integer(DailyCounts::Reports))
                    .primary_key(
                        Index::create()
                            .col(DailyCounts::Category)
                            .col(DailyCounts::District)
                            .col(DailyCounts::Day),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DailyCounts::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum DailyCounts {
    Table,
    Category,
    District,
    /// `YYYY-MM-DD` in Shanghai.
    Day,
    Reports,
}
