//! The write gate: one writer at a time on SQLite, important lane first.
//!
//! SQLite has a single write lock. Writers that find it taken sleep in SQLite's busy handler
//! (1, 2, 5, 10 … 100 ms), which is neither first-come-first-served nor aware of lanes: under
//! a routine backlog an important alert could sleep behind it for seconds. So the service's
//! writers queue here instead, in order, and an important-lane writer goes before any routine
//! writer that has not started yet. PostgreSQL locks rows, not the database: there the gate
//! lets everyone through at once.

use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait as _, DatabaseBackend, DatabaseConnection};
use tokio::sync::{Mutex, MutexGuard, Notify};

/// Orders a service's database writers.
#[derive(Default)]
pub struct WriteGate {
    lock: Mutex<()>,
    important_waiting: AtomicUsize,
    important_done: Notify,
}

/// Held while writing; the next writer enters when it is dropped.
pub struct Permit<'a>(#[allow(dead_code)] Option<MutexGuard<'a, ()>>);

impl WriteGate {
    /// Waits for the turn to write to `db`.
    pub async fn enter(&self, db: &DatabaseConnection, important: bool) -> Permit<'_> {
        if db.get_database_backend() != DatabaseBackend::Sqlite {
            return Permit(None);
        }
        if important {
            self.important_waiting.fetch_add(1, Ordering::SeqCst);
            let guard = self.lock.lock().await;
            self.important_waiting.fetch_sub(1, Ordering::SeqCst);
            self.important_done.notify_waiters();
            return Permit(Some(guard));
        }
        loop {
            // Routine writers stand aside while an important one waits.
            while self.important_waiting.load(Ordering::SeqCst) > 0 {
                let done = self.important_done.notified();
                if self.important_waiting.load(Ordering::SeqCst) == 0 {
                    break;
                }
                // A bounded wait: a missed wake-up costs a millisecond, not a stall.
                let _ = tokio::time::timeout(std::time::Duration::from_millis(1), done).await;
            }
            let guard = self.lock.lock().await;
            if self.important_waiting.load(Ordering::SeqCst) == 0 {
                return Permit(Some(guard));
            }
            drop(guard);
        }
    }
}
