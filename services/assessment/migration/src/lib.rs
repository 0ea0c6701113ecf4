//! Assessment's schema: cases and their append-only decisions, experts, panels, scores and
//! lab results, and the outbox and inbox every service has.

use prism_messaging::migration::{CreateInbox, CreateOutbox, IndexPendingOutbox};
pub use sea_orm_migration::prelude::*;

mod m20261121_000030_create_cases;
mod m20261121_000040_experts_and_scores;
mod m20261121_000050_case_reports;

/// Runs assessment's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(m20261121_000030_create_cases::Migration),
            Box::new(m20261121_000040_experts_and_scores::Migration),
            Box::new(m20261121_000050_case_reports::Migration),
            Box::new(IndexPendingOutbox),
        ]
    }
}
