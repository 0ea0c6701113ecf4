//! The floor: the same message path over bare JetStream (publish with the server's
//! `sync_interval: always`, pull, ack) and a bare durable database commit, measured in the
//! same run. PRISM's alert latency is judged as a multiple of these.
//!
//! Beside them, the fan-out's own floor: one frame of an alert's size written to each of
//! many loopback connections by a bare thread, read by tasks of this process as the SSE
//! subscribers of `alert-latency` are. On one machine the kernel does the receiving side's
//! TCP work too, in the writer's system call, and that is most of what a fan-out costs here.

use std::{
    io::Write as _,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use async_nats::jetstream::{self, consumer::pull, stream};
use futures::StreamExt as _;
use sea_orm::{ConnectionTrait as _, Statement, TransactionTrait as _};
use serde_json::json;
use tokio::io::AsyncReadExt as _;

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
    /// Connections of the loopback fan-out floor (0: leave it out).
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Frames fanned out to them, one at a time.
    #[arg(long, default_value_t = 20)]
    fanouts: usize,
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
    let fanout = if args.subscribers > 0 {
        Some(loopback_fanout(args.subscribers, args.fanouts.max(1)).await?)
    } else {
        None
    };
    let mut headline = format!(
        "JetStream publish→pull→ack p50 {:.2} ms p99 {:.2} ms; commit p50 {:.2} ms p99 {:.2} ms",
        jetstream.p50_ms, jetstream.p99_ms, commits.p50_ms, commits.p99_ms
    );
    if let Some(fanout) = &fanout {
        headline.push_str(&format!(
            "; loopback fan-out to {}: p50 {:.2} ms p99 {:.2} ms",
            args.subscribers, fanout.p50_ms, fanout.p99_ms
        ));
    }
    Ok(Outcome {
        scenario: "floor",
        settings: json!({"messages": args.messages, "database": if url.starts_with("sqlite") { "sqlite" } else { "postgres" },
                         "fanout_subscribers": args.subscribers, "fanouts": args.fanouts, "fanout_frame_bytes": FRAME.len()}),
        figures: json!({"jetstream_round_trip": jetstream, "database_commit": commits, "loopback_fanout": fanout}),
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

/// The size of an alert's SSE event on the wire, chunk framing included.
const FRAME: [u8; 640] = [b'x'; 640];

/// Writes [`FRAME`] to `subscribers` loopback connections in turn from one thread, `fanouts`
/// times, and times each connection's receipt from the first write of its round.
async fn loopback_fanout(
    subscribers: usize,
    fanouts: usize,
) -> anyhow::Result<crate::stats::Summary> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let accepting = std::thread::spawn(move || {
        (0..subscribers)
            .map(|_| {
                let (stream, _) = listener.accept()?;
                stream.set_nodelay(true)?;
                Ok(stream)
            })
            .collect::<std::io::Result<Vec<_>>>()
    });
    // Each receipt: the round it completed and when.
    let receipts: Arc<Mutex<Vec<(usize, Instant)>>> = Arc::default();
    let mut readers = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        let mut stream = tokio::net::TcpStream::connect(address).await?;
        stream.set_nodelay(true)?;
        let receipts = receipts.clone();
        readers.push(tokio::spawn(async move {
            let (mut buffer, mut received) = (vec![0_u8; 4096], 0_usize);
            while let Ok(n @ 1..) = stream.read(&mut buffer).await {
                let at = Instant::now();
                let before = received / FRAME.len();
                received += n;
                if let Ok(mut receipts) = receipts.lock() {
                    receipts.extend((before..received / FRAME.len()).map(|round| (round, at)));
                }
            }
        }));
    }
    let streams = accepting
        .join()
        .map_err(|_| anyhow::anyhow!("the accepting thread panicked"))??;
    let writing = std::thread::spawn(move || {
        let mut streams = streams;
        let mut starts = Vec::with_capacity(fanouts);
        for _ in 0..fanouts {
            // Apart, so that each round starts on a quiet machine.
            std::thread::sleep(Duration::from_millis(100));
            starts.push(Instant::now());
            for stream in &mut streams {
                stream.write_all(&FRAME)?;
            }
        }
        std::thread::sleep(Duration::from_millis(500));
        drop(streams);
        Ok::<_, std::io::Error>(starts)
    });
    let starts = tokio::task::spawn_blocking(move || writing.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the writing thread panicked"))??;
    for reader in readers {
        let _ = reader.await;
    }
    let mut latency = Latencies::default();
    let receipts = receipts.lock().map(|r| r.clone()).unwrap_or_default();
    anyhow::ensure!(
        receipts.len() == subscribers * fanouts,
        "the loopback fan-out delivered {} of {} frames",
        receipts.len(),
        subscribers * fanouts
    );
    for (round, at) in receipts {
        latency.record(at.saturating_duration_since(starts[round]));
    }
    Ok(latency.summary())
}
