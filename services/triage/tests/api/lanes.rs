//! The important lane overtakes a routine backlog.

use std::time::Duration;

use prism_contracts::{
    subjects::{self, v1},
    ReportKind,
};
use prism_test_support::eventually;

use crate::support::{report, spawn_app};

const BACKLOG: usize = 2000;

async fn on_stream(app: &crate::support::TestApp, subject: &str) -> usize {
    let Some(stream) = subjects::stream_of(subject) else {
        return 0;
    };
    let Ok(stream) = app.js.get_stream(stream.name).await else {
        return 0;
    };
    let Ok(mut subjects) = stream.info_with_subjects(subject).await else {
        return 0;
    };
    let mut n = 0;
    while let Ok(Some((_, count))) = futures::TryStreamExt::try_next(&mut subjects).await {
        n += count;
    }
    n
}

#[tokio::test]
async fn an_important_report_overtakes_a_routine_backlog() {
    let app = spawn_app().await;
    let mut acks = Vec::with_capacity(BACKLOG);
    for i in 0..BACKLOG {
        let received = report("移动电源", &format!("第{i}条：外观划痕"), &["310115"]);
        let event = prism_contracts::Envelope::new("intake", received);
        acks.push(
            app.js
                .publish(
                    event.subject(),
                    serde_json::to_vec(&event).expect("json").into(),
                )
                .await
                .expect("publish"),
        );
    }
    for ack in acks {
        ack.await.expect("stored");
    }
    let mut important = report("儿童电动滑板车", "充电时起火，2名儿童受伤", &["310115"]);
    important.kind = ReportKind::Important;
    app.publish(important).await;

    eventually("the alert", Duration::from_secs(20), || async {
        (on_stream(&app, v1::ALERT_RAISED).await == 1).then_some(())
    })
    .await;
    let classified = on_stream(&app, v1::REPORT_CLASSIFIED).await;
    assert!(
        classified < BACKLOG,
        "the alert left before the routine backlog was through ({classified} of {BACKLOG} classified)"
    );
}

/// The alert consumer's thread runs under `SCHED_FIFO` wherever a thread of this process
/// may: a machine busy with routine reports must not hold an alert up.
#[tokio::test]
async fn the_alert_thread_is_urgent() {
    use prism_test_support::threads;
    let _app = spawn_app().await;
    let may = std::thread::spawn(prism_runtime::priority::urgent::make_this_thread_urgent)
        .join()
        .expect("probe thread");
    let alerts = threads::wait_until_running_first(
        triage::messaging::alerts::DURABLE,
        Duration::from_secs(10),
    )
    .await;
    assert!(!alerts.is_empty(), "the alert thread is running");
    if !may {
        eprintln!("SCHED_FIFO is refused here: the alert thread runs under the normal policy");
    }
    for thread in alerts {
        assert_eq!(thread.policy == threads::SCHED_FIFO, may, "{}", thread.name);
    }
}
