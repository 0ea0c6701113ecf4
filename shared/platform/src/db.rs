//! Database connections. SQLite is the embedded default (one file per service, WAL,
//! `synchronous=FULL` so a commit that returned survives a power cut); PostgreSQL by URL.

use std::{str::FromStr, time::Duration};

use anyhow::Context as _;
use sea_orm::{ConnectOptions, Database, DatabaseConnection, SqlxSqliteConnector};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::config::DatabaseSettings;

/// Whether the pools test a connection with a round trip before handing it out (sqlx's
/// default does). Every statement outside a transaction and every transaction takes a
/// connection, so the test doubled their round trips: to PostgreSQL over the network, to
/// SQLite through its connection's worker thread (a thread wake-up each way). A connection
/// that broke while idle fails its next statement instead; a consumer retries that with its
/// back-off, a request fails once, and the pool drops the connection.
const TEST_BEFORE_ACQUIRE: bool = false;

/// Opens the service's database. The caller runs its migrations next.
pub async fn connect(settings: &DatabaseSettings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.url.as_str();
    if url.starts_with("sqlite:") {
        connect_sqlite(url, settings.max_connections).await
    } else {
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(settings.max_connections)
            .connect_timeout(Duration::from_secs(10))
            .sqlx_logging(false)
            .test_before_acquire(TEST_BEFORE_ACQUIRE)
            // Each execution of a prepared statement is planned with its parameters and the
            // tables as they are now. A service's tables start empty, and after five
            // executions PostgreSQL may keep one generic plan for good, made for tables of
            // a few rows: with statistics late (or autovacuum off, as on the CI machine),
            // clustering's candidate query kept a sequential scan of `signal_reports` and
            // took a second at 100,000 reports; planned afresh it takes a millisecond.
            .map_sqlx_postgres_opts(|pg| pg.options([("plan_cache_mode", "force_custom_plan")]));
        Database::connect(options)
            .await
            .context("connecting to PostgreSQL")
    }
}

/// Rows a SQLite query may have ready before its reader takes them.
const ROW_CHANNEL: usize = 1024;

async fn connect_sqlite(url: &str, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("parsing SQLite URL {url}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // No memory map (`mmap_size` 0, SQLite's default). In WAL mode a read transaction
        // that finds the log changed unmaps the whole file (`unixUnfetch`), and every page
        // it touches after is a page fault; in a threaded process each unmap also stops the
        // other cores to flush their address translations. With writes between every two
        // reads that cost more than the `pread`s it saved.
        // Writers queue on SQLite's single write lock instead of failing at once.
        .busy_timeout(Duration::from_secs(10))
        // Room for a whole result set between SQLite's thread and the task reading it. With
        // sqlx's 50, a query of more rows ran in lockstep: the thread blocked on the full
        // channel and was woken for every row taken (triage's candidate reads under 500
        // routine reports/s: 41,000 context switches a second).
        .row_buffer_size(ROW_CHANNEL);
    if let Some(parent) = options.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating the folder of {url}"))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections)
        .test_before_acquire(TEST_BEFORE_ACQUIRE)
        .connect_with(options)
        .await
        .with_context(|| format!("opening SQLite database {url}"))?;
    Ok(SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}
