//! What the messaging tests share: a database with the outbox, the inbox and an `applied`
//! table, a NATS server with PRISM's streams, and a handler that records what it applied.

#![allow(dead_code)]

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use async_nats::jetstream;
use prism_contracts::{events::intake::ReportReceived, Envelope, RawEnvelope, ReportKind};
use prism_messaging::{
    migration::{CreateInbox, CreateOutbox},
    Apply, ApplyError,
};
use prism_test_support::{NatsServer, TestDatabase};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use sea_orm_migration::{prelude::*, schema::*, MigratorTrait};
use uuid::Uuid;

pub struct Harness {
    pub nats: NatsServer,
    pub js: jetstream::Context,
    pub client: async_nats::Client,
    pub db: DatabaseConnection,
    pub database: TestDatabase,
}

pub async fn harness() -> Harness {
    let nats = NatsServer::start().await.expect("nats starts");
    let client = async_nats::connect(nats.url())
        .await
        .expect("nats connects");
    let js = jetstream::new(client.clone());
    prism_messaging::streams::ensure_all(&js)
        .await
        .expect("streams");
    let database = TestDatabase::new("messaging").await.expect("database");
    let db = prism_platform::db::connect(&prism_platform::config::DatabaseSettings {
        url: database.url.clone(),
        max_connections: 4,
    })
    .await
    .expect("db connects");
    TestMigrator::up(&db, None).await.expect("migrations");
    Harness {
        nats,
        js,
        client,
        db,
        database,
    }
}

pub fn report(kind: ReportKind) -> Envelope<ReportReceived> {
    Envelope::new(
        "intake",
        ReportReceived {
            report_id: Uuid::now_v7(),
            station_id: Uuid::now_v7(),
            station_code: "SH-TEST-001".into(),
            station_kind: "testing_institution".into(),
            kind,
            product: "儿童电动滑板车".into(),
            category: None,
            districts: vec!["310115".into()],
            content: "电池起火".into(),
            analysis: None,
            recommendation: None,
            source: None,
            hazards: vec![],
            casualties: None,
            occurred_at: None,
            received_at: chrono::Utc::now(),
            period: "2026-12".into(),
        },
    )
}

/// Messages a stream holds on `subject`.
pub async fn count_on(js: &jetstream::Context, stream: &str, subject: &str) -> u64 {
    let stream = js.get_stream(stream).await.expect("stream");
    let info = stream
        .info_with_subjects(subject)
        .await
        .expect("stream info");
    let mut total = 0;
    let mut subjects = info;
    while let Some(entry) = futures::TryStreamExt::try_next(&mut subjects)
        .await
        .expect("subjects")
    {
        total += entry.1 as u64;
    }
    total
}

/// Rows in the `applied` table.
pub async fn applied_count(db: &DatabaseConnection) -> i64 {
    let row = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM applied",
        ))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("n")
}

/// Records each applied event in `applied`; fails transiently for events in `failing`.
#[derive(Default)]
pub struct Recorder {
    pub calls: AtomicUsize,
    pub failing: std::sync::Mutex<Vec<Uuid>>,
}

impl Apply for Recorder {
    async fn apply(&self, txn: &DatabaseTransaction, event: RawEnvelope) -> Result<(), ApplyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failing.lock().expect("lock").contains(&event.id) {
            return Err(ApplyError::Transient(anyhow::anyhow!("downstream is down")));
        }
        let statement = Query::insert()
            .into_table(Alias::new("applied"))
            .columns([Alias::new("event_id")])
            .values_panic([event.id.into()])
            .to_owned();
        txn.execute(txn.get_database_backend().build(&statement))
            .await?;
        Ok(())
    }
}

pub fn recorder() -> Arc<Recorder> {
    Arc::new(Recorder::default())
}

struct TestMigrator;

impl MigratorTrait for TestMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(CreateOutbox),
            Box::new(CreateInbox),
            Box::new(CreateApplied),
        ]
    }
}

struct CreateApplied;

impl MigrationName for CreateApplied {
    fn name(&self) -> &str {
        "m_test_create_applied"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for CreateApplied {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("applied"))
                    .col(uuid(Alias::new("event_id")).primary_key())
                    .to_owned(),
            )
            .await
    }
}
