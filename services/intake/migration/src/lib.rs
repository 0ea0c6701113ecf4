//! Intake's schema: stations and their API keys, reports, idempotency records, the timeline
//! projection, overdue notices, attachments, and the outbox and inbox every service has.

use prism_messaging::migration::{CreateInbox, CreateOutbox, IndexPendingOutbox};
pub use sea_orm_migration::prelude::*;

mod m20261121_000010_create_stations;
mod m20261121_000011_create_reports;
mod m20261121_000012_create_overdue_and_attachments;

/// Runs intake's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(m20261121_000010_create_stations::Migration),
            Box::new(m20261121_000011_create_reports::Migration),
            Box::new(m20261121_000012_create_overdue_and_attachments::Migration),
            Box::new(IndexPendingOutbox),
        ]
    }
}
