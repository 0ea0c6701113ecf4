//! A triage process killed with SIGKILL while 1,000 events are in flight, then restarted,
//! applies every event exactly once: one classification, one outbox event, one message on
//! the stream per report.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use async_nats::{header::NATS_MESSAGE_ID, jetstream};
use prism_contracts::{events::intake::ReportReceived, subjects::v1, Envelope, ReportKind};
use prism_test_support::{eventually, NatsServer, TestDatabase};
use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection, Statement};
use uuid::Uuid;

const EVENTS: usize = 1000;

fn start_triage(database: &TestDatabase, nats: &NatsServer, data: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_triage"))
        .env("PRISM_TRIAGE__DATABASE__URL", &database.url)
        .env("PRISM_TRIAGE__NATS__URL", nats.url())
        .env("PRISM_TRIAGE__HTTP__PORT", "0")
        .env("PRISM_TRIAGE__DATA_DIR", data)
        // A killed instance's unacknowledged events come back after this long.
        .env("PRISM_TRIAGE__MESSAGING__ACK_WAIT_SECS", "2")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("triage starts")
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let Ok(Some(row)) = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
    else {
        return 0;
    };
    row.try_get::<i64>("", "n").unwrap_or(0)
}

#[tokio::test]
async fn a_killed_consumer_applies_all_events_exactly_once_after_restart() {
    let nats = NatsServer::start().await.expect("nats");
    let database = TestDatabase::new("triage").await.expect("database");
    let data = tempfile::tempdir().expect("tempdir");
    let client = async_nats::connect(nats.url()).await.expect("connects");
    let js = jetstream::new(client);
    prism_messaging::streams::ensure_all(&js)
        .await
        .expect("streams");

    for i in 0..EVENTS {
        let kind = if i % 10 == 0 {
            ReportKind::Important
        } else {
            ReportKind::Routine
        };
        let event = Envelope::new(
            "intake",
            ReportReceived {
                report_id: Uuid::now_v7(),
                station_id: Uuid::now_v7(),
                station_code: "SH-EC-001".into(),
                station_kind: "ecommerce_platform".into(),
                kind,
                product: "移动电源".into(),
                category: None,
                districts: vec!["310115".into()],
                content: format!("第{i}条：充电宝鼓包"),
                analysis: None,
                recommendation: None,
                source: None,
                hazards: vec![],
                casualties: None,
                occurred_at: None,
                received_at: chrono::Utc::now(),
                period: "2026-12".into(),
            },
        );
        let mut headers = async_nats::HeaderMap::new();
        headers.insert(NATS_MESSAGE_ID, event.id.to_string().as_str());
        js.publish_with_headers(
            event.subject(),
            headers,
            serde_json::to_vec(&event).expect("json").into(),
        )
        .await
        .expect("publish")
        .await
        .expect("stored");
    }

    let mut triage = start_triage(&database, &nats, data.path());
    let db = eventually("the database to exist", Duration::from_secs(20), || async {
        let db = Database::connect(&database.url).await.ok()?;
        (count(&db, "SELECT COUNT(*) AS n FROM classifications").await >= 0).then_some(db)
    })
    .await;
    eventually(
        "some events applied before the kill",
        Duration::from_secs(60),
        || async {
            let applied = count(&db, "SELECT COUNT(*) AS n FROM classifications").await;
            (applied >= 50).then_some(())
        },
    )
    .await;
    triage.kill().expect("SIGKILL");
    triage.wait().expect("reaped");
    let at_kill = count(&db, "SELECT COUNT(*) AS n FROM classifications").await;
    assert!(
        at_kill < EVENTS as i64,
        "the kill came while events were in flight ({at_kill} applied)"
    );

    let mut triage = start_triage(&database, &nats, data.path());
    eventually(
        "all events applied after restart",
        Duration::from_secs(120),
        || async {
            (count(&db, "SELECT COUNT(*) AS n FROM classifications").await == EVENTS as i64)
                .then_some(())
        },
    )
    .await;
    let classified_subject = v1::REPORT_CLASSIFIED;
    eventually(
        "every classification published",
        Duration::from_secs(60),
        || async {
            let stream = js.get_stream(v1::TRIAGE.name).await.ok()?;
            let mut subjects = stream.info_with_subjects(classified_subject).await.ok()?;
            let mut published = 0;
            while let Ok(Some((_, n))) = futures::TryStreamExt::try_next(&mut subjects).await {
                published += n;
            }
            (published >= EVENTS).then_some(())
        },
    )
    .await;
    triage.kill().expect("stop");
    let _ = triage.wait();

    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM classifications").await,
        EVENTS as i64
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM inbox WHERE consumer LIKE 'triage-reports-%'"
        )
        .await,
        EVENTS as i64
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) AS n FROM outbox WHERE event_type = 'report.classified'"
        )
        .await,
        EVENTS as i64
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM alerts").await,
        (EVENTS / 10) as i64
    );
    let stream = js.get_stream(v1::TRIAGE.name).await.expect("stream");
    let mut subjects = stream
        .info_with_subjects(classified_subject)
        .await
        .expect("subjects");
    let mut on_stream = 0;
    while let Some((_, n)) = futures::TryStreamExt::try_next(&mut subjects)
        .await
        .expect("subject")
    {
        on_stream += n;
    }
    assert_eq!(
        on_stream, EVENTS,
        "each classification is on the stream exactly once"
    );
}
