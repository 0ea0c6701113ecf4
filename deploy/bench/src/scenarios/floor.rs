//! The floor: the same message path over bare JetStream (publish with the server's
//! `sync_interval: always`, pull, ack) and a bare durable database commit, measured in the
//! same run. PRISM's alert latency is judged as a multiple of these.

use std::time::{Duration, Instant};

use async_nats::jetstream::{self, consumer::pull, stream};
use futures::StreamExt as _;
use sea_orm::{ConnectionTrait as _, Statement, TransactionTrait as _};
use serde_json::json;

use crate::{report::Outcome, stack::Stack, stats::Latencies};

#[derive(clap::Args)]
pub struct Args {
    /// Round trips to measure.
    #[arg(long, default_value_t = 2000)]
    messages: usize,
    /// Database to commit to: a SQLite file (default, WAL, synchronous=FULL) or a
    /// `postgres://…` URL whose database the floor may create a table in.
    #[arg(long)]
    database_url: Option<String>,
}

pub async fn run(stack: &Stack, args: Args, database: &str) -> anyhow::Result<Outcome> {
    // The floor's commit must be on the database the stack's figures are labelled with:
    // runs before 2026-11-22 labelled `postgres` committed to SQLite.
    anyhow::ensure!(
        database != "postgres" || args.database_url.is_some(),
        "floor with --database postgres needs --database-url postgres://… (a database it may create a table in)"
    );
    let jetstream = jetstream_round_trips(&stack.nats_url, args.messages).await?;
    let folder = tempfile::tempdir()?;
    let url = args
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", folder.path().join("floor.db").display()));
    let commits = database_commits(&url, args.messages).await?;
    let headline = format!(
        "JetStream publish→pull→ack p50 {:.2} ms p99 {:.2} ms; commit p50 {:.2} ms p99 {:.2} ms",
        jetstream.p50_ms, jetstream.p99_ms, commits.p50_ms, commits.p99_ms
    );
    Ok(Outcome {
        scenario: "floor",
        settings: json!({"messages": args.messages, "database": if url.starts_with("sqlite") { "sqlite" } else { "postgres" }}),
        figures: json!({"jetstream_round_trip": jetstream, "database_commit": commits}),
        headline,
    })
}

async fn jetstream_round_trips(
    nats_url: &str,
    messages: usize,
) -> anyhow::Result<crate::stats::Summary> {
    let client = async_nats::connect(nats_url).await?;
    let js = jetstream::new(client);
    let name = format!("BENCH_FLOOR_{}", uuid::Uuid::new_v4().simple());
    let subject = format!("bench.floor.{name}");
    let stream = js
        .create_stream(stream::Config {
            name: name.clone(),
            subjects: vec![subject.clone()],
            storage: stream::StorageType::File,
            ..Default::default()
        })
        .await?;
    let consumer = stream
        .create_consumer(pull::Config {
            durable_name: Some("floor".into()),
            ack_policy: jetstream::consumer::AckPolicy::Explicit,
            ..Default::default()
        })
        .await?;
    let mut incoming = consumer.messages().await?;
    let mut latency = Latencies::default();
    for i in 0..messages {
        let started = Instant::now();
        js.publish(subject.clone(), format!("{i}").into())
            .await?
            .await?;
        let message = tokio::time::timeout(Duration::from_secs(5), incoming.next())
            .await?
            .ok_or_else(|| anyhow::anyhow!("the floor consumer ended"))?
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        message.ack().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        latency.record(started.elapsed());
    }
    js.delete_stream(&name).await?;
    Ok(latency.summary())
}

async fn database_commits(url: &str, commits: usize) -> anyhow::Result<crate::stats::Summary> {
    let db = prism_platform::db::connect(&prism_platform::config::DatabaseSettings {
        url: url.to_owned(),
        max_connections: 2,
    })
    .await?;
    let backend = db.get_database_backend();
    let table = format!("bench_floor_{}", uuid::Uuid::new_v4().simple());
    db.execute(Statement::from_string(
        backend,
        format!("CREATE TABLE {table} (id TEXT PRIMARY KEY, body TEXT)"),
    ))
    .await?;
    let mut latency = Latencies::default();
    for i in 0..commits {
        let started = Instant::now();
        let txn = db.begin().await?;
        txn.execute(Statement::from_string(
            backend,
            format!(
                "INSERT INTO {table} (id, body) VALUES ('{}', 'report {i}')",
                uuid::Uuid::now_v7()
            ),
        ))
        .await?;
        txn.commit().await?;
        latency.record(started.elapsed());
    }
    db.execute(Statement::from_string(
        backend,
        format!("DROP TABLE {table}"),
    ))
    .await?;
    Ok(latency.summary())
}
