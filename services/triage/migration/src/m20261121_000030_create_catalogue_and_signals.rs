//! Catalogue versions, what classification needs to find duplicates, signals with their
//! reports and the audit of what regulators did to them.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000030_create_catalogue_and_signals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CatalogueVersions::Table)
                    .if_not_exists()
                    .col(integer(CatalogueVersions::Version).primary_key())
                    .col(text(CatalogueVersions::Body))
                    .col(boolean(CatalogueVersions::Current))
                    .col(string(CatalogueVersions::CreatedBy))
                    .col(timestamp_with_time_zone(CatalogueVersions::CreatedAt))
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per statement.
        let columns = [
            text_null(Classifications::Text),
            json_null(Classifications::Fingerprint),
            string_null(Classifications::Candidate),
            string_null(Classifications::ReviewedBy),
            timestamp_with_time_zone_null(Classifications::ReviewedAt),
        ];
        for mut column in columns {
            manager
                .alter_table(
                    Table::alter()
                        .table(Classifications::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("classifications_category_received")
                    .table(Classifications::Table)
                    .col(Classifications::Category)
                    .col(Classifications::ReceivedAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Signals::Table)
                    .if_not_exists()
                    .col(uuid(Signals::Id).primary_key())
                    .col(string(Signals::Product))
                    .col(string_null(Signals::Category))
                    .col(json(Signals::Districts))
                    .col(string(Signals::DistrictIndex))
                    .col(integer(Signals::ReportCount))
                    .col(boolean(Signals::Important))
                    .col(string(Signals::Status))
                    .col(string(Signals::Origin))
                    .col(string_null(Signals::SurgeKey).unique_key())
                    .col(string_null(Signals::Level))
                    .col(timestamp_with_time_zone(Signals::FirstSeen))
                    .col(timestamp_with_time_zone(Signals::LastSeen))
                    .col(timestamp_with_time_zone(Signals::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignalReports::Table)
                    .if_not_exists()
                    .col(uuid(SignalReports::SignalId))
                    .col(uuid(SignalReports::ReportId))
                    .primary_key(
                        Index::create()
                            .col(SignalReports::SignalId)
                            .col(SignalReports::ReportId),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("signal_reports_report")
                    .table(SignalReports::Table)
                    .col(SignalReports::ReportId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SignalActions::Table)
                    .if_not_exists()
                    .col(uuid(SignalActions::Id).primary_key())
                    .col(uuid(SignalActions::SignalId))
                    .col(string(SignalActions::Action))
                    .col(string_null(SignalActions::Actor))
                    .col(text_null(SignalActions::Reason))
                    .col(json(SignalActions::Detail))
                    .col(timestamp_with_time_zone(SignalActions::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("signal_actions_signal")
                    .table(SignalActions::Table)
                    .col(SignalActions::SignalId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SignalActions::Table.into_iden(),
            SignalReports::Table.into_iden(),
            Signals::Table.into_iden(),
            CatalogueVersions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum CatalogueVersions {
    Table,
    Version,
    Body,
    Current,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Classifications {
    Table,
    Category,
    ReceivedAt,
    Text,
    Fingerprint,
    Candidate,
    ReviewedBy,
    ReviewedAt,
}

#[derive(DeriveIden)]
enum Signals {
    Table,
    Id,
    Product,
    Category,
    Districts,
    DistrictIndex,
    ReportCount,
    Important,
    Status,
    Origin,
    SurgeKey,
    Level,
    FirstSeen,
    LastSeen,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SignalReports {
    Table,
    SignalId,
    ReportId,
}

#[derive(DeriveIden)]
enum SignalActions {
    Table,
    Id,
    SignalId,
    Action,
    Actor,
    Reason,
    Detail,
    At,
}
