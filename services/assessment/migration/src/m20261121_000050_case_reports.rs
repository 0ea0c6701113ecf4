//! Which case each report belongs to, so that an important report's alert and the signal
//! triage escalates for it end up in one case rather than two.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000050_case_reports"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CaseReports::Table)
                    .if_not_exists()
                    // The primary key is the claim: whoever inserts a report first owns it,
                    // and a concurrent claimant waits for that and then sees the owner.
                    .col(uuid(CaseReports::ReportId).primary_key())
                    // No foreign key: a claim is taken before its case row is written, so
                    // that losing the race costs nothing to undo.
                    .col(uuid(CaseReports::CaseId))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("case_reports_case")
                    .table(CaseReports::Table)
                    .col(CaseReports::CaseId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CaseReports::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CaseReports {
    Table,
    ReportId,
    CaseId,
}
