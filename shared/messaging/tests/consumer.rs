//! Consumers apply each event exactly once, retry what may work later, and dead-letter what
//! never will, without holding up the events behind it.

mod common;

use std::{sync::atomic::Ordering, sync::Arc, time::Duration};

use async_nats::{header::NATS_MESSAGE_ID, jetstream};
use common::{applied_count, count_on, harness, recorder, report, Harness, Recorder};
use futures::StreamExt as _;
use prism_contracts::{subjects, subjects::v1, ReportKind};
use prism_messaging::{consumer, ConsumerSpec, Outbox};
use prism_test_support::eventually;
use tokio_util::sync::CancellationToken;

fn spec() -> ConsumerSpec {
    let mut spec = ConsumerSpec::new(
        v1::INTAKE.name,
        "test-reports",
        &[v1::report_received(prism_contracts::Lane::Routine).as_str()],
    );
    spec.backoff = vec![Duration::from_millis(50)];
    spec
}

/// Publishes `payload` with its own message id, so JetStream keeps every copy.
async fn publish(js: &jetstream::Context, subject: String, payload: Vec<u8>) {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert(NATS_MESSAGE_ID, uuid::Uuid::new_v4().to_string().as_str());
    js.publish_with_headers(subject, headers, payload.into())
        .await
        .expect("publish")
        .await
        .expect("ack");
}

fn start(
    h: &Harness,
    spec: ConsumerSpec,
    handler: Arc<Recorder>,
) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let shutdown = CancellationToken::new();
    let task = tokio::spawn({
        let (js, db, shutdown) = (h.js.clone(), h.db.clone(), shutdown.clone());
        async move {
            consumer::run(js, db, Outbox::new(), spec, handler, shutdown)
                .await
                .expect("consumer runs");
        }
    });
    (shutdown, task)
}

/// Waits for the one dead letter of an event on `subject`.
async fn dead_lettered(h: &Harness, subject: &str) {
    let dead = subjects::dead_letter("test-reports", subject);
    eventually("the dead letter", Duration::from_secs(20), || async {
        (count_on(&h.js, subjects::DEAD_LETTER.name, &dead).await == 1).then_some(())
    })
    .await;
}

async fn settled(h: &Harness, durable: &str) {
    eventually(
        "the consumer to settle",
        Duration::from_secs(20),
        || async {
            let stream = h.js.get_stream(v1::INTAKE.name).await.ok()?;
            let mut consumer: jetstream::consumer::PullConsumer =
                stream.get_consumer(durable).await.ok()?;
            let info = consumer.info().await.ok()?;
            (info.num_pending == 0 && info.num_ack_pending == 0).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn the_same_event_delivered_twice_is_applied_once() {
    let h = harness().await;
    let event = report(ReportKind::Routine);
    let payload = serde_json::to_vec(&event).expect("json");
    publish(&h.js, event.subject(), payload.clone()).await;
    publish(&h.js, event.subject(), payload).await;

    let handler = recorder();
    let (shutdown, task) = start(&h, spec(), handler.clone());
    settled(&h, "test-reports").await;
    shutdown.cancel();
    task.await.expect("stops");

    assert_eq!(applied_count(&h.db).await, 1);
    assert_eq!(
        handler.calls.load(Ordering::SeqCst),
        1,
        "the repeat never reached the handler"
    );
}

#[tokio::test]
async fn an_event_redelivered_after_ack_wait_is_applied_once() {
    let h = harness().await;
    let mut spec = spec();
    spec.ack_wait = Duration::from_secs(1);
    let stream = h.js.get_stream(v1::INTAKE.name).await.expect("stream");
    let pull = stream
        .create_consumer(consumer::consumer_config(&spec))
        .await
        .expect("consumer");

    let event = report(ReportKind::Routine);
    publish(
        &h.js,
        event.subject(),
        serde_json::to_vec(&event).expect("json"),
    )
    .await;

    // A first instance applies the event and dies before it can ack.
    let handler = recorder();
    // Waiting for it: a fetch answers at once, and on a busy machine once came back empty.
    let mut batch = pull
        .batch()
        .max_messages(1)
        .expires(Duration::from_secs(10))
        .messages()
        .await
        .expect("fetch");
    let message = batch.next().await.expect("a message").expect("ok");
    let raw = prism_contracts::RawEnvelope::from_slice(&message.payload).expect("envelope");
    let outcome = consumer::apply_once(&h.db, &spec.durable, raw, handler.as_ref())
        .await
        .expect("applies");
    assert_eq!(outcome, prism_messaging::Outcome::Applied);
    drop(message);

    // A second instance gets the redelivery after the ack wait and only acknowledges it.
    let (shutdown, task) = start(&h, spec, handler.clone());
    settled(&h, "test-reports").await;
    shutdown.cancel();
    task.await.expect("stops");

    assert_eq!(applied_count(&h.db).await, 1);
    assert_eq!(handler.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_undecodable_message_is_dead_lettered_and_later_ones_keep_flowing() {
    let h = harness().await;
    let subject = v1::report_received(prism_contracts::Lane::Routine);
    publish(&h.js, subject.clone(), b"{not an envelope".to_vec()).await;
    let event = report(ReportKind::Routine);
    publish(
        &h.js,
        subject.clone(),
        serde_json::to_vec(&event).expect("json"),
    )
    .await;

    let (shutdown, task) = start(&h, spec(), recorder());
    settled(&h, "test-reports").await;
    shutdown.cancel();
    task.await.expect("stops");

    assert_eq!(applied_count(&h.db).await, 1);
    let dead = subjects::dead_letter("test-reports", &subject);
    assert_eq!(count_on(&h.js, subjects::DEAD_LETTER.name, &dead).await, 1);
    let stream =
        h.js.get_stream(subjects::DEAD_LETTER.name)
            .await
            .expect("dlq");
    let letter = stream.get_raw_message(1).await.expect("dead letter");
    assert_eq!(letter.payload.as_ref(), b"{not an envelope");
    let reason = letter
        .headers
        .get("Prism-Dead-Letter-Reason")
        .map(|v| v.as_str().to_owned());
    assert_eq!(reason.as_deref(), Some("poison"));
}

#[tokio::test]
async fn an_event_that_keeps_failing_is_dead_lettered_after_max_deliver() {
    let h = harness().await;
    let mut spec = spec();
    spec.max_deliver = 3;
    // One at a time, so every call is a delivery (a failed batch would add a call).
    spec.batch = 1;
    let handler = recorder();
    let stuck = report(ReportKind::Routine);
    handler.failing.lock().expect("lock").push(stuck.id);
    publish(
        &h.js,
        stuck.subject(),
        serde_json::to_vec(&stuck).expect("json"),
    )
    .await;
    let next = report(ReportKind::Routine);
    publish(
        &h.js,
        next.subject(),
        serde_json::to_vec(&next).expect("json"),
    )
    .await;

    let (shutdown, task) = start(&h, spec, handler.clone());
    dead_lettered(&h, &stuck.subject()).await;
    settled(&h, "test-reports").await;
    shutdown.cancel();
    task.await.expect("stops");

    assert_eq!(
        applied_count(&h.db).await,
        1,
        "the event behind it was applied"
    );
    // Three deliveries of the stuck event, one of the next.
    assert_eq!(handler.calls.load(Ordering::SeqCst), 4);
    let stream =
        h.js.get_stream(subjects::DEAD_LETTER.name)
            .await
            .expect("dlq");
    let letter = stream.get_raw_message(1).await.expect("dead letter");
    let header = |name: &str| letter.headers.get(name).map(|v| v.as_str().to_owned());
    assert_eq!(
        header("Prism-Dead-Letter-Reason").as_deref(),
        Some("max_deliveries")
    );
    assert_eq!(header("Prism-Delivered").as_deref(), Some("3"));
}

#[tokio::test]
async fn two_instances_share_the_work_and_apply_each_event_once() {
    let h = harness().await;
    let handler = recorder();
    let mut spec = spec();
    spec.concurrency = 4;
    let (stop_a, task_a) = start(&h, spec.clone(), handler.clone());
    let (stop_b, task_b) = start(&h, spec, handler.clone());
    for _ in 0..200 {
        let event = report(ReportKind::Routine);
        publish(
            &h.js,
            event.subject(),
            serde_json::to_vec(&event).expect("json"),
        )
        .await;
    }
    eventually("all 200 applied", Duration::from_secs(30), || async {
        (applied_count(&h.db).await == 200).then_some(())
    })
    .await;
    settled(&h, "test-reports").await;
    stop_a.cancel();
    stop_b.cancel();
    task_a.await.expect("stops");
    task_b.await.expect("stops");
    assert_eq!(applied_count(&h.db).await, 200);
    assert_eq!(handler.calls.load(Ordering::SeqCst), 200);
}

fn raw(
    event: &prism_contracts::Envelope<prism_contracts::events::intake::ReportReceived>,
) -> prism_contracts::RawEnvelope {
    prism_contracts::RawEnvelope::from_slice(&serde_json::to_vec(event).expect("json"))
        .expect("envelope")
}

#[tokio::test]
async fn a_batch_commits_together_and_skips_what_was_already_applied() {
    let h = harness().await;
    let handler = recorder();
    let (a, b, c) = (
        report(ReportKind::Routine),
        report(ReportKind::Routine),
        report(ReportKind::Routine),
    );
    consumer::apply_once(&h.db, "test-reports", raw(&a), handler.as_ref())
        .await
        .expect("applies");

    let batch = [&a, &b, &c].map(|event| (raw(event), tracing::Span::none()));
    let outcomes = consumer::apply_all(&h.db, "test-reports", batch.to_vec(), handler.as_ref())
        .await
        .expect("applies");

    use prism_messaging::Outcome::{AlreadyApplied, Applied};
    assert_eq!(outcomes, vec![AlreadyApplied, Applied, Applied]);
    assert_eq!(applied_count(&h.db).await, 3);
    assert_eq!(
        handler.calls.load(Ordering::SeqCst),
        3,
        "the repeat never reached the handler"
    );
}

#[tokio::test]
async fn a_batch_with_a_failing_event_commits_nothing() {
    let h = harness().await;
    let handler = recorder();
    let (b, stuck, c) = (
        report(ReportKind::Routine),
        report(ReportKind::Routine),
        report(ReportKind::Routine),
    );
    handler.failing.lock().expect("lock").push(stuck.id);

    let batch = [&b, &stuck, &c].map(|event| (raw(event), tracing::Span::none()));
    let result = consumer::apply_all(&h.db, "test-reports", batch.to_vec(), handler.as_ref()).await;

    assert!(matches!(
        result,
        Err(prism_messaging::ApplyError::Transient(_))
    ));
    assert_eq!(
        applied_count(&h.db).await,
        0,
        "the event before it was rolled back"
    );
    use sea_orm::{EntityTrait as _, PaginatorTrait as _};
    let inbox = consumer::InboxEntity::find()
        .count(&h.db)
        .await
        .expect("count");
    assert_eq!(inbox, 0, "no inbox row claims a rolled-back event");
}

#[tokio::test]
async fn a_backlog_with_a_failing_event_is_applied_around_it() {
    let h = harness().await;
    let mut spec = spec();
    spec.max_deliver = 2;
    let handler = recorder();
    let mut events = Vec::new();
    for _ in 0..300 {
        events.push(report(ReportKind::Routine));
    }
    let stuck = events[150].clone();
    handler.failing.lock().expect("lock").push(stuck.id);
    for event in &events {
        publish(
            &h.js,
            event.subject(),
            serde_json::to_vec(event).expect("json"),
        )
        .await;
    }

    let (shutdown, task) = start(&h, spec, handler.clone());
    dead_lettered(&h, &stuck.subject()).await;
    settled(&h, "test-reports").await;
    shutdown.cancel();
    task.await.expect("stops");

    assert_eq!(
        applied_count(&h.db).await,
        299,
        "every other event applied once"
    );
}

#[tokio::test]
async fn the_same_event_twice_in_one_batch_is_applied_once() {
    let h = harness().await;
    let handler = recorder();
    let a = report(ReportKind::Routine);

    let batch = [&a, &a].map(|event| (raw(event), tracing::Span::none()));
    let outcomes = consumer::apply_all(&h.db, "test-reports", batch.to_vec(), handler.as_ref())
        .await
        .expect("applies");

    use prism_messaging::Outcome::{AlreadyApplied, Applied};
    assert_eq!(outcomes, vec![Applied, AlreadyApplied]);
    assert_eq!(applied_count(&h.db).await, 1);
    assert_eq!(handler.calls.load(Ordering::SeqCst), 1);
}
