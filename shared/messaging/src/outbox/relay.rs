//! The relay: publishes staged events and marks them sent.

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use async_nats::{header::NATS_MESSAGE_ID, jetstream, HeaderMap};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::Expr, ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::{entity, Outbox};

/// Published rows waiting to be marked sent beyond which publishing waits for the marking.
const MARK_BACKLOG: usize = 10_000;

/// How the relay paces itself.
#[derive(Debug, Clone)]
pub struct RelaySettings {
    /// Rows published per round trip to the database.
    pub batch: u64,
    /// Fallback poll, for commits whose wake-up was lost (another process, a restart).
    pub poll: Duration,
    /// How long sent rows are kept for reconciliation.
    pub retention: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            batch: 256,
            poll: Duration::from_millis(500),
            retention: Duration::from_secs(7 * 24 * 3600),
        }
    }
}

/// Which lanes a publisher takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lanes {
    Important,
    Routine,
    /// Both, important first: draining.
    Both,
}

impl Lanes {
    /// The values of the `important` column to read, in order.
    fn important_first(self) -> &'static [bool] {
        match self {
            Self::Important => &[true],
            Self::Routine => &[false],
            Self::Both => &[true, false],
        }
    }
}

/// Publishes what the outbox holds, important lane first.
pub struct Relay {
    db: DatabaseConnection,
    js: jetstream::Context,
    wake: Arc<Notify>,
    wake_important: Arc<Notify>,
    wake_handed: Arc<Notify>,
    outbox: Outbox,
    service: &'static str,
    settings: RelaySettings,
    /// Published, not yet marked sent. Marking is a write, and on SQLite a write waits for
    /// whatever transaction holds the lock; publishing does not wait for it, so an
    /// important event committed meanwhile goes out at once. A crash before the mark means
    /// a republication, which JetStream's duplicate window and the inboxes absorb.
    unmarked: Mutex<HashSet<Uuid>>,
    /// Handed-over events being published: the lanes leave them out, as they leave out
    /// the unmarked ones.
    handing: Mutex<HashSet<Uuid>>,
    marks: Notify,
}

impl Relay {
    pub fn new(
        db: DatabaseConnection,
        js: jetstream::Context,
        outbox: &Outbox,
        service: &'static str,
        settings: RelaySettings,
    ) -> Self {
        Self {
            db,
            js,
            wake: outbox.waker(),
            wake_important: outbox.important_waker(),
            wake_handed: outbox.handed_waker(),
            outbox: outbox.clone(),
            service,
            settings,
            unmarked: Mutex::default(),
            handing: Mutex::default(),
            marks: Notify::new(),
        }
    }

    /// Runs until `shutdown`, then publishes what is left (best effort) and returns.
    ///
    /// The important lane has a publisher of its own: a routine batch waits for JetStream
    /// to store each of its events, and in a burst an important event committed meanwhile
    /// waited for that batch and for the next query (stack burst on SQLite: important
    /// alert p99 372 ms with one publisher).
    pub async fn run(self, shutdown: CancellationToken) {
        let published_all = CancellationToken::new();
        tokio::join!(
            async {
                tokio::join!(
                    self.publish_until(&shutdown, Lanes::Routine),
                    self.publish_until(&shutdown, Lanes::Important),
                    self.publish_handed_until(&shutdown),
                );
                published_all.cancel();
            },
            self.mark_until(&published_all),
        );
    }

    async fn publish_until(&self, shutdown: &CancellationToken, lanes: Lanes) {
        let wake = match lanes {
            Lanes::Important => &self.wake_important,
            _ => &self.wake,
        };
        let mut failures = 0_u32;
        let mut last_purge = tokio::time::Instant::now();
        loop {
            match self.publish_all(lanes).await {
                Ok(_) => failures = 0,
                Err(error) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(error = ?error, failures, "outbox relay could not publish");
                    // Back off while NATS or the database is away, up to 5 s.
                    let pause = Duration::from_millis(100 * 2_u64.pow(failures.min(6)));
                    tokio::select! {
                        _ = tokio::time::sleep(pause.min(Duration::from_secs(5))) => continue,
                        _ = shutdown.cancelled() => break,
                    }
                }
            }
            let routine = lanes == Lanes::Routine;
            if routine && last_purge.elapsed() > Duration::from_secs(3600) {
                last_purge = tokio::time::Instant::now();
                if let Err(error) = self.purge().await {
                    tracing::warn!(error = ?error, "outbox purge failed");
                }
            }
            tokio::select! {
                _ = wake.notified() => {}
                // Quiet moments measure the lag; a busy relay has no time to spare for it.
                _ = tokio::time::sleep(self.settings.poll) => {
                    if routine {
                        self.report_pending().await;
                    }
                }
                _ = shutdown.cancelled() => break,
            }
        }
        // Flush on shutdown so that events committed just before the signal go out now.
        if let Err(error) = self.publish_all(lanes).await {
            tracing::warn!(error = ?error, "outbox could not be flushed at shutdown");
        }
    }

    /// Publishes the important events that commits handed over (see
    /// [`Outbox::committed_with`]) as they come, without reading them back: on a busy
    /// database the important lane's two reads were most of the time between an important
    /// report's commit and its event reaching JetStream. What fails to go out stays unsent in
    /// the table, and the important lane, woken, takes it from there.
    async fn publish_handed_until(&self, shutdown: &CancellationToken) {
        loop {
            let rows = self.outbox.take_handed();
            if rows.is_empty() {
                tokio::select! {
                    _ = self.wake_handed.notified() => continue,
                    _ = shutdown.cancelled() => return,
                }
            }
            let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
            if let Ok(mut handing) = self.handing.lock() {
                handing.extend(ids.iter().copied());
            }
            let sent = self.send(rows).await;
            let settled = self.settle(sent).await;
            if let Ok(mut handing) = self.handing.lock() {
                for id in &ids {
                    handing.remove(id);
                }
            }
            if let Err(error) = settled {
                tracing::warn!(error = ?error, "handed-over events not published; the important lane retries them");
                self.wake_important.notify_one();
            }
        }
    }

    /// Marks published rows sent, beside the publishing, until everything is published.
    async fn mark_until(&self, published_all: &CancellationToken) {
        let mut failures = 0_u32;
        loop {
            tokio::select! {
                _ = self.marks.notified() => {}
                _ = published_all.cancelled() => break,
            }
            match self.mark_sent().await {
                Ok(()) => failures = 0,
                Err(error) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(error = ?error, failures, "outbox rows not marked sent; retrying");
                    let pause = Duration::from_millis(100 * 2_u64.pow(failures.min(6)));
                    tokio::time::sleep(pause.min(Duration::from_secs(5))).await;
                    self.marks.notify_one();
                }
            }
        }
        if let Err(error) = self.mark_sent().await {
            tracing::warn!(error = ?error, "outbox rows not marked sent at shutdown; they will be republished and deduplicated");
        }
    }

    /// Publishes every unsent row and marks them sent; returns how many were published.
    pub async fn drain(&self) -> anyhow::Result<usize> {
        let published = self.publish_all(Lanes::Both).await?;
        self.mark_sent().await?;
        Ok(published)
    }

    /// Publishes every unsent row; the marking follows separately.
    ///
    /// Two batches are in flight: the next batch is read and sent while JetStream stores the
    /// previous one. With one, the relay waited for JetStream and then for the database in
    /// turn; on PostgreSQL a burst of 100,000 routine reports drained at that pace (publish
    /// lag up to 55 s).
    async fn publish_all(&self, lanes: Lanes) -> anyhow::Result<usize> {
        let mut total = 0;
        let mut in_flight: Option<Vec<Sending>> = None;
        loop {
            if self.unmarked_len() > MARK_BACKLOG {
                // The marking fell far behind: catch up before reading past it again.
                self.mark_sent().await?;
            }
            let mut skip: HashSet<Uuid> =
                self.unmarked.lock().map(|u| u.clone()).unwrap_or_default();
            if let Ok(handing) = self.handing.lock() {
                skip.extend(handing.iter().copied());
            }
            if let Some(previous) = &in_flight {
                skip.extend(previous.iter().map(|sending| sending.id));
            }
            let rows = self.next_batch(lanes, &skip).await?;
            let more = rows.len() >= self.batch();
            let sent = self.send(rows).await;
            if let Some(previous) = in_flight.take() {
                total += self.settle(previous).await?;
            }
            if !more {
                total += self.settle(sent).await?;
                return Ok(total);
            }
            in_flight = Some(sent);
        }
    }

    /// Rows published per round trip to the database.
    fn batch(&self) -> usize {
        usize::try_from(self.settings.batch).unwrap_or(usize::MAX)
    }

    fn unmarked_len(&self) -> usize {
        self.unmarked.lock().map(|u| u.len()).unwrap_or(0)
    }

    /// Marks what was published sent.
    async fn mark_sent(&self) -> anyhow::Result<()> {
        let ids: Vec<Uuid> = match self.unmarked.lock() {
            Ok(unmarked) => unmarked.iter().copied().collect(),
            Err(_) => return Ok(()),
        };
        if ids.is_empty() {
            return Ok(());
        }
        {
            let _turn = self.outbox.gate().enter(&self.db, true).await;
            let now = Utc::now();
            for chunk in ids.chunks(500) {
                entity::Entity::update_many()
                    .col_expr(entity::Column::SentAt, Expr::value(now))
                    .filter(entity::Column::Id.is_in(chunk.iter().copied()))
                    .exec(&self.db)
                    .await?;
            }
        }
        if let Ok(mut unmarked) = self.unmarked.lock() {
            for id in &ids {
                unmarked.remove(id);
            }
        }
        Ok(())
    }

    /// The next unsent rows, important first, then oldest first, leaving out `skip`.
    async fn next_batch(
        &self,
        lanes: Lanes,
        skip: &HashSet<Uuid>,
    ) -> anyhow::Result<Vec<entity::Model>> {
        let batch = self.batch();
        // Ids first, one lane at a time: each read walks the `outbox_unsent` index in order
        // and touches nothing else, however many rows wait. One query ordering both lanes
        // sorted every unsent row, payloads included, for each batch: in a burst of 100,000
        // that was the wait an important event saw.
        let mut chosen: Vec<Uuid> = Vec::with_capacity(batch);
        for &important in lanes.important_first() {
            if chosen.len() >= batch {
                break;
            }
            let ids: Vec<Uuid> = entity::Entity::find()
                .select_only()
                .column(entity::Column::Id)
                .filter(entity::Column::SentAt.is_null())
                .filter(entity::Column::Important.eq(important))
                .order_by_asc(entity::Column::Id)
                .limit((batch - chosen.len() + skip.len()) as u64)
                .into_tuple()
                .all(&self.db)
                .await?;
            let room = batch - chosen.len();
            chosen.extend(ids.into_iter().filter(|id| !skip.contains(id)).take(room));
        }
        if chosen.is_empty() {
            return Ok(Vec::new());
        }
        let mut rows: Vec<entity::Model> = entity::Entity::find()
            .filter(entity::Column::Id.is_in(chosen.clone()))
            .all(&self.db)
            .await?;
        let order: HashMap<Uuid, usize> =
            chosen.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        rows.sort_by_key(|row| order.get(&row.id).copied().unwrap_or(usize::MAX));
        Ok(rows)
    }

    /// Sends a batch without waiting for JetStream to store it: one round trip's latency per
    /// batch instead of per event.
    async fn send(&self, rows: Vec<entity::Model>) -> Vec<Sending> {
        let mut pending = Vec::with_capacity(rows.len());
        for row in rows {
            let headers = headers_of(&row);
            let ack = self
                .js
                .publish_with_headers(row.subject.clone(), headers, row.payload.into())
                .await;
            pending.push(Sending {
                id: row.id,
                important: row.important,
                created_at: row.created_at,
                ack,
            });
        }
        pending
    }

    /// Waits for JetStream to store a batch; what it stored waits to be marked sent.
    async fn settle(&self, batch: Vec<Sending>) -> anyhow::Result<usize> {
        let mut sent: Vec<Uuid> = Vec::with_capacity(batch.len());
        let mut failure = None;
        for Sending {
            id,
            important,
            created_at,
            ack,
        } in batch
        {
            let outcome = match ack {
                Ok(future) => future.await.map(drop).map_err(anyhow::Error::from),
                Err(error) => Err(anyhow::Error::from(error)),
            };
            match outcome {
                Ok(()) => {
                    let lane = if important { "important" } else { "routine" };
                    metrics::counter!("outbox_published_total", "service" => self.service, "lane" => lane)
                        .increment(1);
                    let lag = (Utc::now() - created_at).num_microseconds().unwrap_or(0);
                    metrics::histogram!("outbox_publish_lag_seconds", "service" => self.service)
                        .record(lag as f64 / 1e6);
                    sent.push(id);
                }
                Err(error) => {
                    failure.get_or_insert(error);
                }
            }
        }
        let published = sent.len();
        if let Ok(mut unmarked) = self.unmarked.lock() {
            unmarked.extend(sent);
        }
        self.marks.notify_one();
        match failure {
            Some(error) => Err(error.context("publishing outbox events")),
            None => Ok(published),
        }
    }

    /// The outbox lag: events committed but not yet published.
    async fn report_pending(&self) {
        use sea_orm::PaginatorTrait as _;
        let pending = entity::Entity::find()
            .filter(entity::Column::SentAt.is_null())
            .count(&self.db)
            .await;
        if let Ok(pending) = pending {
            metrics::gauge!("outbox_pending", "service" => self.service).set(pending as f64);
        }
    }

    async fn purge(&self) -> anyhow::Result<()> {
        let retention = chrono::Duration::from_std(self.settings.retention)?;
        let cutoff = Utc::now() - retention;
        entity::Entity::delete_many()
            .filter(entity::Column::SentAt.lt(cutoff))
            .exec(&self.db)
            .await?;
        Ok(())
    }
}

/// One event of a batch sent to JetStream, and JetStream's answer to come.
struct Sending {
    id: Uuid,
    important: bool,
    created_at: DateTime<Utc>,
    ack: Result<jetstream::context::PublishAckFuture, jetstream::context::PublishError>,
}

fn headers_of(row: &entity::Model) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(NATS_MESSAGE_ID, row.id.to_string().as_str());
    headers.insert("Prism-Event-Type", row.event_type.as_str());
    let carrier: HashMap<String, String> =
        serde_json::from_str(&row.trace_context).unwrap_or_default();
    crate::trace::inject(&carrier, &mut headers);
    headers
}

/// Reconciliation: marks everything staged since `since` as unsent, so the relay publishes it
/// again. JetStream drops what it still remembers (duplicate window); consumers' inboxes drop
/// the rest. Returns how many rows will be republished.
pub async fn republish_since(db: &DatabaseConnection, since: DateTime<Utc>) -> anyhow::Result<u64> {
    let result = entity::Entity::update_many()
        .col_expr(
            entity::Column::SentAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(entity::Column::CreatedAt.gte(since))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
