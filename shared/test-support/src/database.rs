//! A fresh database per test.

use sea_orm::{ConnectionTrait as _, Database};

/// A database that exists only for one test: a SQLite file in a temporary folder, or a
/// PostgreSQL database dropped afterwards.
pub struct TestDatabase {
    /// The URL a service connects with.
    pub url: String,
    _folder: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A new, empty database named after `service`.
    pub async fn new(service: &str) -> anyhow::Result<Self> {
        let backend = std::env::var("PRISM_TEST_DB").unwrap_or_else(|_| "sqlite".to_owned());
        if backend == "postgres" {
            let server = std::env::var("PRISM_TEST_PG_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
            let name = format!(
                "prism_test_{}_{}",
                service.replace('-', "_"),
                uuid::Uuid::new_v4().simple()
            );
            let admin = Database::connect(format!("{server}/postgres")).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await?;
            Ok(Self {
                url: format!("{server}/{name}"),
                _folder: None,
                postgres: Some((server, name)),
            })
        } else {
            let folder = tempfile::tempdir()?;
            let url = format!(
                "sqlite://{}",
                folder.path().join(format!("{service}.db")).display()
            );
            Ok(Self {
                url,
                _folder: Some(folder),
                postgres: None,
            })
        }
    }

    /// Whether this is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs outside any runtime we may block; use a thread with its own.
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(admin) = Database::connect(format!("{server}/postgres")).await {
                    let _ = admin
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}
