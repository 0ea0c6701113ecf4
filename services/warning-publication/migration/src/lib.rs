//! Warning-publication's schema: warnings and their audit trail, plus the outbox and inbox
//! every service has.

use prism_messaging::migration::{CreateInbox, CreateOutbox};
pub use sea_orm_migration::prelude::*;

mod m20261121_000040_create_warnings;

/// Runs warning-publication's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(m20261121_000040_create_warnings::Migration),
        ]
    }
}
