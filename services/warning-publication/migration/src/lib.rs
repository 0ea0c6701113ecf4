//! Warning-publication's schema: warnings, their versions and audit trail, search and the
//! public's feedback, plus the outbox and inbox every service has.

use prism_messaging::migration::{CreateInbox, CreateOutbox, IndexPendingOutbox};
pub use sea_orm_migration::prelude::*;

mod m20261121_000040_create_warnings;
mod m20261121_000050_versions_search_feedback;

/// Runs warning-publication's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(m20261121_000040_create_warnings::Migration),
            Box::new(m20261121_000050_versions_search_feedback::Migration),
            Box::new(IndexPendingOutbox),
        ]
    }
}
