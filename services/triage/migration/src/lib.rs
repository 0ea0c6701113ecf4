//! Triage's schema: classifications, alerts, catalogue versions and signals, plus the outbox
//! and inbox.

use prism_messaging::migration::{CreateInbox, CreateOutbox, IndexPendingOutbox};
pub use sea_orm_migration::prelude::*;

mod m20261121_000020_create_classifications;
mod m20261121_000030_create_catalogue_and_signals;
mod m20261121_000040_create_daily_counts;
mod m20261121_000050_create_classification_districts;
mod m20261122_000060_add_classification_signature;

/// Runs triage's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(m20261121_000020_create_classifications::Migration),
            Box::new(m20261121_000030_create_catalogue_and_signals::Migration),
            Box::new(m20261121_000040_create_daily_counts::Migration),
            Box::new(m20261121_000050_create_classification_districts::Migration),
            Box::new(IndexPendingOutbox),
            Box::new(m20261122_000060_add_classification_signature::Migration),
        ]
    }
}
