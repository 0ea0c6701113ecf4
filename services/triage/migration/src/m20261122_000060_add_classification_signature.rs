//! Each classification's MinHash signature as 1,028 bytes (the set size, then 256 minima,
//! little-endian) instead of JSON. As JSON the 256 numbers took 2.7 KB a row: past
//! PostgreSQL's 2 KB threshold, so every classification went to the TOAST table as well
//! (329 MB of which 27 MB the table itself, after 100,000 reports) and the insert was
//! PostgreSQL's second-largest cost in triage's `alert_latency` example. Rows written
//! before this keep their JSON `fingerprint`, which is still read when `signature` is empty.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261122_000060_add_classification_signature"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Classifications::Table)
                    .add_column(blob_null(Classifications::Signature))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Classifications::Table)
                    .drop_column(Classifications::Signature)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Classifications {
    Table,
    Signature,
}
