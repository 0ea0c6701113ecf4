//! Notification's schema: subscriptions, alerts, deliveries and the replayable feed, plus
//! the outbox and inbox.

use prism_messaging::migration::{CreateInbox, CreateOutbox, IndexPendingOutbox};
pub use sea_orm_migration::prelude::*;

mod m20261121_000050_create_notification;
mod m20261121_000060_delivery_attempts;

/// Runs notification's migrations in order.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(m20261121_000050_create_notification::Migration),
            Box::new(m20261121_000060_delivery_attempts::Migration),
            Box::new(IndexPendingOutbox),
        ]
    }
}
