//! Group commit for single reports: concurrent `POST /v1/reports` without an idempotency key
//! are written together, one transaction and one durable commit (one fsync) for all reports
//! waiting at that moment, instead of one each. Every station still gets its `201` only after
//! the commit that holds its report and its `ReportReceived` event.

use chrono::Utc;
use prism_contracts::{Envelope, ReportKind};
use prism_messaging::Outbox;
use sea_orm::{
    ConnectionTrait as _, DatabaseBackend, DatabaseConnection, DbErr, EntityTrait as _,
    TransactionTrait as _,
};
use tokio::sync::{mpsc, oneshot, Mutex};

use super::{
    entities::{report, station},
    reports::{received_event, to_row},
};
use crate::domain::report::ValidReport;

/// The most reports one commit takes; more wait for the next one.
const MAX_GROUP: usize = 256;

struct Pending {
    station: station::Model,
    valid: ValidReport,
    /// The request's trace context, so the event continues the request's trace.
    trace: String,
    reply: oneshot::Sender<Result<report::Model, String>>,
}

/// The queue in front of the writers.
#[derive(Clone)]
pub struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the writers: one on SQLite (it has one writer anyway), a few on PostgreSQL.
    /// They stop when every handle is dropped, after answering what they hold.
    pub fn start(db: DatabaseConnection, outbox: Outbox) -> Self {
        let (queue, receiver) = mpsc::channel(4 * MAX_GROUP);
        let receiver = std::sync::Arc::new(Mutex::new(receiver));
        let writers = match db.get_database_backend() {
            DatabaseBackend::Postgres => 4,
            _ => 1,
        };
        for _ in 0..writers {
            let (db, outbox, receiver) = (db.clone(), outbox.clone(), receiver.clone());
            tokio::spawn(async move {
                loop {
                    let group = {
                        let mut receiver = receiver.lock().await;
                        let Some(first) = receiver.recv().await else {
                            break;
                        };
                        let mut group = vec![first];
                        while group.len() < MAX_GROUP {
                            match receiver.try_recv() {
                                Ok(next) => group.push(next),
                                Err(_) => break,
                            }
                        }
                        group
                    };
                    write(&db, &outbox, group).await;
                }
            });
        }
        Self { queue }
    }

    /// Stores one report and its event; returns once they are committed.
    pub async fn accept(
        &self,
        station: station::Model,
        valid: ValidReport,
    ) -> Result<report::Model, DbErr> {
        let (reply, answer) = oneshot::channel();
        let gone = || DbErr::Custom("the report writer stopped".to_owned());
        self.queue
            .send(Pending {
                station,
                valid,
                trace: prism_messaging::trace::current_context_json(),
                reply,
            })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?.map_err(DbErr::Custom)
    }
}

async fn write(db: &DatabaseConnection, outbox: &Outbox, group: Vec<Pending>) {
    // Queue for SQLite's one writer, important reports first, rather than sleep in its busy
    // handler behind a consumer's transaction.
    let important = group
        .iter()
        .any(|pending| pending.valid.kind == ReportKind::Important);
    let _turn = outbox.gate().enter(db, important).await;
    let received_at = Utc::now();
    let mut rows = Vec::with_capacity(group.len());
    let mut replies = Vec::with_capacity(group.len());
    let mut stations = Vec::with_capacity(group.len());
    let mut traces = Vec::with_capacity(group.len());
    for pending in group {
        rows.push(to_row(pending.station.id, pending.valid, received_at));
        stations.push(pending.station);
        traces.push(pending.trace);
        replies.push(pending.reply);
    }
    let committed = async {
        let txn = db.begin().await?;
        // The reports first: a write, so SQLite takes the write lock at once.
        for chunk in rows.chunks(200) {
            report::Entity::insert_many(chunk.iter().cloned().map(report::ActiveModel::from))
                .exec(&txn)
                .await?;
        }
        let events: Vec<_> = rows
            .iter()
            .zip(&stations)
            .map(|(row, station)| Envelope::new("intake", received_event(station, row)))
            .collect();
        let traced: Vec<_> = events
            .iter()
            .zip(&traces)
            .map(|(event, trace)| (event, trace.as_str()))
            .collect();
        let staged = outbox.stage_traced(&txn, &traced).await?;
        txn.commit().await?;
        Ok::<_, DbErr>(staged)
    }
    .await;
    match committed {
        Ok(staged) => {
            // An important report's event goes to the relay as it is, not read back.
            outbox.committed_with(staged);
            metrics::histogram!("intake_group_commit_size").record(rows.len() as f64);
            for (reply, row) in replies.into_iter().zip(rows) {
                // A caller that went away (timeout) still has its report stored.
                let _ = reply.send(Ok(row));
            }
        }
        Err(error) => {
            tracing::error!(error = %error, reports = rows.len(), "group commit failed");
            for reply in replies {
                let _ = reply.send(Err(error.to_string()));
            }
        }
    }
}
