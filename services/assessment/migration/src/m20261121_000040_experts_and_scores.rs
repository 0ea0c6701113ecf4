//! The assessment itself: cases learn their signal, the parties an expert must not belong to
//! and when they went overdue; the expert pool, panels, scored injury scenarios and lab
//! results.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000040_experts_and_scores"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            uuid_null(Cases::SignalId),
            json_null(Cases::Stations),
            json_null(Cases::Enterprises),
            timestamp_with_time_zone_null(Cases::OverdueAt),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Cases::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        // One case per escalated signal, however often the escalation is delivered.
        manager
            .create_index(
                Index::create()
                    .name("cases_signal_id")
                    .table(Cases::Table)
                    .col(Cases::SignalId)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // The deadline sweep looks for open cases past their deadline.
        manager
            .create_index(
                Index::create()
                    .name("cases_deadline")
                    .table(Cases::Table)
                    .col(Cases::Deadline)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        create_experts(manager).await?;
        create_assignments(manager).await?;
        create_scores(manager).await?;
        create_lab_results(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            LabResults::Table.into_iden(),
            Scores::Table.into_iden(),
            Assignments::Table.into_iden(),
            Experts::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

async fn create_experts(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Experts::Table)
                .if_not_exists()
                // The expert's JWT `sub`.
                .col(string(Experts::Id).primary_key())
                .col(string(Experts::Name))
                .col(json(Experts::Specialties))
                .col(json(Experts::Affiliations))
                .col(boolean(Experts::Active))
                .col(string(Experts::CreatedBy))
                .col(timestamp_with_time_zone(Experts::CreatedAt))
                .to_owned(),
        )
        .await
}

async fn create_assignments(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Assignments::Table)
                .if_not_exists()
                .col(uuid(Assignments::Id).primary_key())
                .col(uuid(Assignments::CaseId))
                .col(string(Assignments::ExpertId))
                // The draw's seed, kept so that anyone can replay the draw and check it.
                .col(big_integer(Assignments::Seed))
                .col(string(Assignments::AssignedBy))
                .col(timestamp_with_time_zone(Assignments::AssignedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Assignments::Table, Assignments::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("assignments_case_expert")
                .table(Assignments::Table)
                .col(Assignments::CaseId)
                .col(Assignments::ExpertId)
                .unique()
                .if_not_exists()
                .to_owned(),
        )
        .await?;
    // An expert's case list.
    manager
        .create_index(
            Index::create()
                .name("assignments_expert")
                .table(Assignments::Table)
                .col(Assignments::ExpertId)
                .if_not_exists()
                .to_owned(),
        )
        .await
}

async fn create_scores(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Scores::Table)
                .if_not_exists()
                .col(uuid(Scores::Id).primary_key())
                .col(uuid(Scores::CaseId))
                .col(string(Scores::ExpertId))
                .col(text(Scores::Injured))
                .col(string_null(Scores::Hazard))
                .col(text(Scores::Scenario))
                .col(json(Scores::Steps))
                .col(double(Scores::Probability))
                .col(integer(Scores::Severity))
                .col(string(Scores::Level))
                .col(text_null(Scores::Rationale))
                .col(timestamp_with_time_zone(Scores::CreatedAt))
                .col(timestamp_with_time_zone(Scores::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Scores::Table, Scores::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("scores_case")
                .table(Scores::Table)
                .col(Scores::CaseId)
                .if_not_exists()
                .to_owned(),
        )
        .await
}

async fn create_lab_results(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(LabResults::Table)
                .if_not_exists()
                .col(uuid(LabResults::Id).primary_key())
                .col(uuid(LabResults::CaseId))
                .col(string(LabResults::Indicator))
                .col(string(LabResults::Standard))
                .col(text(LabResults::Requirement))
                .col(string(LabResults::Measured))
                .col(boolean(LabResults::Passed))
                .col(boolean(LabResults::Safety))
                .col(string(LabResults::Laboratory))
                .col(string_null(LabResults::ReportRef))
                .col(string(LabResults::RecordedBy))
                .col(timestamp_with_time_zone(LabResults::RecordedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(LabResults::Table, LabResults::CaseId)
                        .to(Cases::Table, Cases::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name("lab_results_case")
                .table(LabResults::Table)
                .col(LabResults::CaseId)
                .if_not_exists()
                .to_owned(),
        )
        .await
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    Id,
    SignalId,
    Stations,
    Enterprises,
    OverdueAt,
    Deadline,
}

#[derive(DeriveIden)]
enum Experts {
    Table,
    Id,
    Name,
    Specialties,
    Affiliations,
    Active,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Assignments {
    Table,
    Id,
    CaseId,
    ExpertId,
    Seed,
    AssignedBy,
    AssignedAt,
}

#[derive(DeriveIden)]
enum Scores {
    Table,
    Id,
    CaseId,
    ExpertId,
    Injured,
    Hazard,
    Scenario,
    Steps,
    Probability,
    Severity,
    Level,
    Rationale,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum LabResults {
    Table,
    Id,
    CaseId,
    Indicator,
    Standard,
    Requirement,
    Measured,
    Passed,
    Safety,
    Laboratory,
    ReportRef,
    RecordedBy,
    RecordedAt,
}
