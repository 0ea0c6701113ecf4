//! The outbox publishes every committed event exactly once, whatever happens between the
//! commit and the publish.

mod common;

use std::time::Duration;

use async_nats::header::NATS_MESSAGE_ID;
use common::{count_on, harness, report};
use prism_contracts::{subjects::v1, ReportKind};
use prism_messaging::{outbox::RelaySettings, Outbox, Relay};
use prism_test_support::eventually;
use sea_orm::{EntityTrait as _, PaginatorTrait as _, TransactionTrait as _};
use tokio_util::sync::CancellationToken;

fn relay(h: &common::Harness, outbox: &Outbox) -> Relay {
    Relay::new(
        h.db.clone(),
        h.js.clone(),
        outbox,
        "test",
        RelaySettings::default(),
    )
}

/// Waits until the outbox holds no row not yet marked sent.
async fn all_marked_sent(h: &common::Harness, what: &str) {
    eventually(what, Duration::from_secs(10), || async {
        let unsent = prism_messaging::outbox::OutboxEntity::find()
            .filter_unsent()
            .count(&h.db)
            .await
            .expect("count");
        (unsent == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn an_event_committed_while_the_relay_was_down_is_published_once_after_restart() {
    let h = harness().await;
    let outbox = Outbox::new();
    let event = report(ReportKind::Routine);
    let txn = h.db.begin().await.expect("begin");
    outbox.stage(&txn, &event).await.expect("stage");
    txn.commit().await.expect("commit");
    outbox.committed();

    // The previous relay crashed after JetStream stored the event but before it was marked
    // sent: simulate that by publishing it once by hand, with its id.
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(NATS_MESSAGE_ID, event.id.to_string().as_str());
    let payload = serde_json::to_vec(&event).expect("json");
    h.js.publish_with_headers(event.subject(), headers, payload.into())
        .await
        .expect("publish")
        .await
        .expect("ack");

    let shutdown = CancellationToken::new();
    let task = tokio::spawn(relay(&h, &outbox).run(shutdown.clone()));
    all_marked_sent(&h, "the outbox to drain").await;
    shutdown.cancel();
    task.await.expect("relay stops");

    let subject = v1::report_received(prism_contracts::Lane::Routine);
    assert_eq!(count_on(&h.js, v1::INTAKE.name, &subject).await, 1);
}

/// Commits an important event while NATS is down, with the commit handing it to the relay
/// or not, and checks that it reaches its stream once, after NATS returns.
async fn published_once_after_nats_returns(hand_over: bool) {
    let mut h = harness().await;
    let outbox = Outbox::new();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(relay(&h, &outbox).run(shutdown.clone()));

    h.nats.kill();
    let event = report(ReportKind::Important);
    let txn = h.db.begin().await.expect("begin");
    let staged = outbox.stage(&txn, &event).await.expect("stage");
    txn.commit().await.expect("commit");
    if hand_over {
        outbox.committed_with(staged);
    } else {
        outbox.committed();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.nats.restart().await.expect("nats restarts");

    let subject = v1::report_received(prism_contracts::Lane::Important);
    eventually(
        "the event to reach the stream",
        Duration::from_secs(20),
        || async {
            let Ok(mut stream) = h.js.get_stream(v1::INTAKE_IMPORTANT.name).await else {
                return None;
            };
            let info = stream.info().await.ok()?;
            (info.state.messages >= 1).then_some(())
        },
    )
    .await;
    all_marked_sent(&h, "the event marked sent").await;
    shutdown.cancel();
    task.await.expect("relay stops");
    assert_eq!(
        count_on(&h.js, v1::INTAKE_IMPORTANT.name, &subject).await,
        1
    );
}

#[tokio::test]
async fn an_event_committed_while_nats_is_down_is_published_when_it_returns() {
    published_once_after_nats_returns(false).await;
}

#[tokio::test]
async fn a_rolled_back_event_is_never_published() {
    let h = harness().await;
    let outbox = Outbox::new();
    let txn = h.db.begin().await.expect("begin");
    outbox
        .stage(&txn, &report(ReportKind::Routine))
        .await
        .expect("stage");
    txn.rollback().await.expect("rollback");

    let published = relay(&h, &outbox).drain().await.expect("drain");
    assert_eq!(published, 0);
}

#[tokio::test]
async fn important_events_are_published_ahead_of_a_routine_backlog() {
    let h = harness().await;
    let outbox = Outbox::new();
    let txn = h.db.begin().await.expect("begin");
    for _ in 0..300 {
        outbox
            .stage(&txn, &report(ReportKind::Routine))
            .await
            .expect("stage");
    }
    let important = report(ReportKind::Important);
    outbox.stage(&txn, &important).await.expect("stage");
    txn.commit().await.expect("commit");

    let published = relay(&h, &outbox).drain().await.expect("drain");
    assert_eq!(published, 301);
    // The lanes have streams of their own, each storing in parallel with the other: the
    // important report was stored before the routine backlog's last, not behind it.
    let stored = |stream: &'static str, sequence: u64| {
        let js = h.js.clone();
        async move {
            let stream = js.get_stream(stream).await.expect("stream");
            stream
                .get_raw_message(sequence)
                .await
                .expect("message")
                .time
        }
    };
    let important = stored(v1::INTAKE_IMPORTANT.name, 1).await;
    let last_routine = stored(v1::INTAKE.name, 300).await;
    assert!(important < last_routine, "{important} after {last_routine}");
}

trait FilterUnsent {
    fn filter_unsent(self) -> Self;
}

impl FilterUnsent for sea_orm::Select<prism_messaging::outbox::OutboxEntity> {
    fn filter_unsent(self) -> Self {
        use sea_orm::{ColumnTrait as _, QueryFilter as _};
        self.filter(prism_messaging::outbox::OutboxColumn::SentAt.is_null())
    }
}

#[tokio::test]
async fn a_reconciliation_republishes_without_duplicating_the_stream() {
    let h = harness().await;
    let outbox = Outbox::new();
    let txn = h.db.begin().await.expect("begin");
    let event = report(ReportKind::Routine);
    outbox.stage(&txn, &event).await.expect("stage");
    txn.commit().await.expect("commit");
    let relay = relay(&h, &outbox);
    assert_eq!(relay.drain().await.expect("drain"), 1);

    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let marked = prism_messaging::outbox::republish_since(&h.db, since)
        .await
        .expect("reconcile");
    assert_eq!(marked, 1, "sent rows are kept for reconciliation");
    assert_eq!(relay.drain().await.expect("drain again"), 1);

    let subject = v1::report_received(prism_contracts::Lane::Routine);
    assert_eq!(count_on(&h.js, v1::INTAKE.name, &subject).await, 1);
}

#[tokio::test]
async fn an_important_event_goes_out_while_the_previous_batch_waits_to_be_marked_sent() {
    let h = harness().await;
    let outbox = Outbox::new();
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(relay(&h, &outbox).run(shutdown.clone()));
    let stage = |event| {
        let (db, outbox) = (h.db.clone(), outbox.clone());
        async move {
            let txn = db.begin().await.expect("begin");
            outbox.stage(&txn, &event).await.expect("stage");
            txn.commit().await.expect("commit");
            outbox.committed();
        }
    };
    let stored = |lane| {
        let js = h.js.clone();
        async move {
            let subject = v1::report_received(lane);
            count_on(&js, v1::reports_stream(lane).name, &subject).await
        }
    };

    // A long routine writer holds the turn to write, so the relay cannot mark anything sent.
    let writer = outbox.gate().enter(&h.db, false).await;
    stage(report(ReportKind::Routine)).await;
    eventually("the routine event", Duration::from_secs(10), || async {
        (stored(prism_contracts::Lane::Routine).await == 1).then_some(())
    })
    .await;
    stage(report(ReportKind::Important)).await;
    eventually(
        "the important event, with the routine one still unmarked",
        Duration::from_secs(10),
        || async { (stored(prism_contracts::Lane::Important).await == 1).then_some(()) },
    )
    .await;
    drop(writer);

    all_marked_sent(&h, "both marked sent").await;
    shutdown.cancel();
    task.await.expect("relay stops");
    assert_eq!(
        stored(prism_contracts::Lane::Routine).await,
        1,
        "published once"
    );
}

/// Renames the outbox table: until it is back, every read or write of it fails.
async fn hide_the_outbox(h: &common::Harness, hidden: bool) {
    use sea_orm::ConnectionTrait as _;
    let (from, to) = if hidden {
        ("outbox", "outbox_hidden")
    } else {
        ("outbox_hidden", "outbox")
    };
    h.db.execute_unprepared(&format!("ALTER TABLE {from} RENAME TO {to}"))
        .await
        .expect("rename the outbox");
}

#[tokio::test]
async fn a_handed_over_important_event_goes_out_without_being_read_back() {
    let h = harness().await;
    let outbox = Outbox::new();
    let event = report(ReportKind::Important);
    let txn = h.db.begin().await.expect("begin");
    let staged = outbox.stage(&txn, &event).await.expect("stage");
    txn.commit().await.expect("commit");

    // The relay starts unable to read the table, so only the hand-off can publish the event.
    hide_the_outbox(&h, true).await;
    outbox.committed_with(staged);
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(relay(&h, &outbox).run(shutdown.clone()));
    let subject = v1::report_received(prism_contracts::Lane::Important);
    eventually("the handed-over event", Duration::from_secs(10), || async {
        (count_on(&h.js, v1::INTAKE_IMPORTANT.name, &subject).await == 1).then_some(())
    })
    .await;

    hide_the_outbox(&h, false).await;
    all_marked_sent(&h, "the handed-over event marked sent").await;
    shutdown.cancel();
    task.await.expect("relay stops");
    assert_eq!(
        count_on(&h.js, v1::INTAKE_IMPORTANT.name, &subject).await,
        1
    );
}

#[tokio::test]
async fn a_handed_over_event_that_could_not_be_published_goes_out_from_the_table() {
    published_once_after_nats_returns(true).await;
}

#[tokio::test]
async fn a_commit_hands_over_its_important_events_only() {
    let h = harness().await;
    let outbox = Outbox::new();
    let txn = h.db.begin().await.expect("begin");
    let staged = outbox
        .stage_many(
            &txn,
            &[
                report(ReportKind::Routine),
                report(ReportKind::Important),
                report(ReportKind::Routine),
            ],
        )
        .await
        .expect("stage");
    txn.commit().await.expect("commit");
    outbox.committed_with(staged);

    // Drained, the relay publishes all three once: the handed-over one is not sent twice.
    assert_eq!(relay(&h, &outbox).drain().await.expect("drain"), 3);
    let important = v1::report_received(prism_contracts::Lane::Important);
    let routine = v1::report_received(prism_contracts::Lane::Routine);
    assert_eq!(
        count_on(&h.js, v1::INTAKE_IMPORTANT.name, &important).await,
        1
    );
    assert_eq!(count_on(&h.js, v1::INTAKE.name, &routine).await, 2);
}
