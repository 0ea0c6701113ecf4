//! Assessment's schema: cases and their append-only decisions, and the outbox and inbox every
//! service has.

use prism_messaging::migration::{CreateInbox, CreateOutbox};
pub use sea_orm_migration::prelude::*;

mod m20261121_000030_create_cases;

/// Runs assessment's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(m20261121_000030_create_cases::Migration),
        ]
    }
}
