//! Streams the hub writes into itself.
//!
//! A stream served by `prism_platform::http::lean` hands its connection over to the hub
//! ([`Direct::serve`]). The fan-out thread then writes each event straight into every
//! socket that wants it, one non-blocking write per connection, and wakes no task: woken
//! per connection and polled through a response body, the tasks had cost about as much
//! processor time as the writes themselves, on a machine that shares its two processors
//! with the reports' background load.
//!
//! A socket that cannot take a whole event at once (its reader is slow) gets the rest
//! queued, and its own task writes the queue out as the socket drains. While anything is
//! queued the fan-out only adds to the queue, so events keep their order, and a slow
//! reader holds up no one else. Past [`QUEUE_LIMIT`] events waiting, more are counted
//! rather than kept until the queue has drained and the stream has been told of the gap:
//! nothing after the hole reaches the stream before the notice of it, so the last id the
//! client saw is still where the hole begins.

use std::{
    collections::{HashMap, VecDeque},
    io,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, OnceLock,
    },
    time::Duration,
};

use bytes::Bytes;
use tokio::{net::TcpStream, sync::Notify};
use uuid::Uuid;

use super::{chunk, gap, Live, HEARTBEAT_CHUNK};
use crate::domain::feed::FeedItem;

/// Events a connection may have waiting before further ones are dropped and reported as
/// a gap; the broadcast the body-served streams listen to keeps as many.
const QUEUE_LIMIT: usize = super::CAPACITY;

/// Heartbeat periods a connection may take nothing from its socket, with events waiting,
/// before it is closed: its client reconnects (and replays) or is gone.
const STALLED_BEATS: u32 = 4;

/// Which events a connection's regulator is to hear.
pub type Wants = Box<dyn Fn(&FeedItem) -> bool + Send + Sync>;

/// The streams handed over to the hub, by registration number, in shares: one per fan-out
/// thread.
pub struct Registry {
    next: AtomicU64,
    shares: Box<[Share]>,
}

/// Some of the connections, by registration number.
type Share = Mutex<HashMap<u64, Arc<Direct>>>;

impl Default for Registry {
    fn default() -> Self {
        Self::new(1)
    }
}

impl Registry {
    /// A registry of `shares` shares (at least one).
    pub fn new(shares: usize) -> Self {
        Self {
            next: AtomicU64::new(0),
            shares: (0..shares.max(1)).map(|_| Mutex::default()).collect(),
        }
    }

    pub fn shares(&self) -> usize {
        self.shares.len()
    }

    fn share(&self, number: u64) -> &Share {
        &self.shares[(number % self.shares.len() as u64) as usize]
    }

    /// A new connection, taking events from now on; they wait until it is served.
    pub fn register(self: &Arc<Self>, wants: Wants) -> Registration {
        let number = self.next.fetch_add(1, Ordering::Relaxed);
        let direct = Arc::new(Direct {
            wants,
            socket: OnceLock::new(),
            state: Mutex::new(State::default()),
            wake: Notify::new(),
        });
        lock(self.share(number)).insert(number, direct.clone());
        Registration {
            registry: self.clone(),
            number,
            direct,
        }
    }

    /// Writes `live` to every connection that wants it.
    #[cfg(test)]
    pub fn fan_out(&self, live: &Arc<Live>) {
        for share in 0..self.shares.len() {
            self.fan_out_share(share, live);
        }
    }

    /// Writes `live` to every connection of one share that wants it.
    pub fn fan_out_share(&self, share: usize, live: &Arc<Live>) {
        for direct in self.connections_of(share) {
            if (direct.wants)(&live.item) {
                direct.offer(live);
            }
        }
    }

    /// Closes every connection of one share: their clients reconnect and replay what they
    /// missed.
    pub fn close_share(&self, share: usize) {
        for direct in self.connections_of(share) {
            lock(&direct.state).closed = true;
            direct.wake.notify_one();
        }
    }

    /// The connections of one share now, taken out of the lock: registering and leaving
    /// must not wait on the writes to them.
    fn connections_of(&self, share: usize) -> Vec<Arc<Direct>> {
        self.shares
            .get(share)
            .map(|share| lock(share).values().cloned().collect())
            .unwrap_or_default()
    }

    /// Connections registered, in all shares.
    #[cfg(test)]
    pub fn connections(&self) -> usize {
        self.shares.iter().map(|share| lock(share).len()).sum()
    }
}

/// A connection's place in the registry; leaving drops it.
pub struct Registration {
    registry: Arc<Registry>,
    number: u64,
    direct: Arc<Direct>,
}

impl Registration {
    /// Live events with ids up to `watermark` were replayed already and are skipped.
    pub fn replayed_up_to(&self, watermark: Option<Uuid>) {
        let mut state = lock(&self.direct.state);
        state.watermark = watermark;
        // Events the replay holds need no room while the connection waits to be served.
        state
            .early
            .retain(|live| watermark.is_none_or(|w| live.item.id > w));
    }

    /// Owns the connection until its peer hangs up or fails: the events, the queue, the
    /// heartbeat.
    pub async fn serve(self, socket: TcpStream, heartbeat: Duration) {
        // The registration, and with it the registry's entry, goes when this returns.
        self.direct.serve(socket, heartbeat).await;
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(self.registry.share(self.number)).remove(&self.number);
    }
}

/// One connection handed over.
pub struct Direct {
    wants: Wants,
    /// Set once the response head is written; until then events wait in `early`.
    socket: OnceLock<TcpStream>,
    state: Mutex<State>,
    /// Tells the connection's task that its queue has something.
    wake: Notify,
}

#[derive(Default)]
struct State {
    /// Events that came before the connection was handed over (during its replay).
    early: Vec<Arc<Live>>,
    /// Chunks the socket has not taken yet, the first possibly in part.
    queue: VecDeque<Bytes>,
    /// Chunks the connection's task has taken out of `queue` to write without the lock;
    /// they go before anything queued meanwhile.
    taken: usize,
    /// Events dropped since the queue was full; while any are, every event is dropped
    /// until the notice of the gap is queued.
    missed: u64,
    watermark: Option<Uuid>,
    /// The socket failed: nothing more is written.
    closed: bool,
}

impl Direct {
    fn offer(&self, live: &Arc<Live>) {
        let mut state = lock(&self.state);
        if state.watermark.is_some_and(|w| live.item.id <= w) {
            return;
        }
        let Some(socket) = self.socket.get() else {
            if state.missed == 0 && state.early.len() < QUEUE_LIMIT {
                state.early.push(live.clone());
            } else {
                state.missed += 1;
            }
            return;
        };
        self.send(socket, &mut state, &live.chunk);
    }

    /// Writes `chunk` now if nothing is waiting before it, else queues it.
    fn send(&self, socket: &TcpStream, state: &mut State, chunk: &Bytes) {
        if state.closed {
            return;
        }
        if state.missed > 0 || state.queue.len() + state.taken >= QUEUE_LIMIT {
            state.missed += 1;
            return;
        }
        if !state.queue.is_empty() || state.taken > 0 {
            state.queue.push_back(chunk.clone());
            return;
        }
        match socket.try_write(chunk) {
            Ok(n) if n == chunk.len() => return,
            Ok(n) => state.queue.push_back(chunk.slice(n..)),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                state.queue.push_back(chunk.clone());
            }
            Err(_) => state.closed = true,
        }
        self.wake.notify_one();
    }

    async fn serve(&self, socket: TcpStream, heartbeat: Duration) {
        {
            let mut state = lock(&self.state);
            if self.socket.set(socket).is_err() {
                return;
            }
            let watermark = state.watermark;
            let early = std::mem::take(&mut state.early);
            state.queue.extend(
                early
                    .iter()
                    .filter(|live| watermark.is_none_or(|w| live.item.id > w))
                    .map(|live| live.chunk.clone()),
            );
        }
        let Some(socket) = self.socket.get() else {
            return;
        };
        let beat = Bytes::from_static(HEARTBEAT_CHUNK);
        let mut beats =
            tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
        // After a long wait for a slow reader, one beat, not the ones missed meanwhile.
        beats.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut probe = [0_u8; 32];
        loop {
            if !self.flush(socket, heartbeat * STALLED_BEATS).await {
                return;
            }
            tokio::select! {
                () = self.wake.notified() => {}
                _ = beats.tick() => {
                    // A stream with events waiting is not idle: no beat is needed, and
                    // one must not be counted as a missed event.
                    let mut state = lock(&self.state);
                    if state.queue.is_empty() && state.missed == 0 {
                        self.send(socket, &mut state, &beat);
                    }
                }
                // A stream's peer sends nothing more; end of input means it hung up.
                readable = socket.readable() => {
                    if readable.is_err() {
                        return;
                    }
                    match socket.try_read(&mut probe) {
                        Ok(0) => return,
                        Ok(_) => {}
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                        Err(_) => return,
                    }
                }
            }
        }
    }

    /// Writes out the queue (and the notice of a gap, if events were dropped), waiting for
    /// the socket to take it. False once the socket has failed, or has taken nothing for
    /// `stalled`.
    ///
    /// The writes are made without the lock: this task runs under the normal policy and may
    /// lose its processor mid-write, and the fan-out threads, urgent, must never wait for it
    /// to get it back.
    async fn flush(&self, socket: &TcpStream, stalled: Duration) -> bool {
        loop {
            let mut batch = {
                let mut guard = lock(&self.state);
                let state = &mut *guard;
                if state.closed {
                    return false;
                }
                if state.queue.is_empty() {
                    if state.missed == 0 {
                        return true;
                    }
                    let missed = std::mem::take(&mut state.missed);
                    metrics::counter!("notification_stream_dropped_total").increment(missed);
                    state.queue.push_back(chunk(&gap(&format!(
                        "{missed} events were missed; reconnect with Last-Event-ID"
                    ))));
                }
                state.taken = state.queue.len();
                std::mem::take(&mut state.queue)
            };
            let failed = write_out(socket, &mut batch);
            let blocked = !batch.is_empty();
            {
                let mut state = lock(&self.state);
                state.taken = 0;
                if failed {
                    state.closed = true;
                    return false;
                }
                batch.append(&mut state.queue);
                state.queue = batch;
            }
            if !blocked {
                // All written; what came meanwhile goes next, after letting the worker's
                // other tasks run: a steady trickle must not keep it here.
                tokio::task::yield_now().await;
                continue;
            }
            match tokio::time::timeout(stalled, socket.writable()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return false,
                Err(_) => {
                    metrics::counter!("notification_stream_stalled_total").increment(1);
                    return false;
                }
            }
        }
    }
}

/// Writes the front of `queue` until it is empty or the socket would block; true if the
/// socket failed.
fn write_out(socket: &TcpStream, queue: &mut VecDeque<Bytes>) -> bool {
    while let Some(front) = queue.front_mut() {
        match socket.try_write(front) {
            Ok(n) if n == front.len() => {
                queue.pop_front();
            }
            Ok(n) => *front = front.slice(n..),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
    false
}

/// A poisoned lock only means a writer panicked mid-way; the queue is still whole chunks
/// or their tails, so carry on with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use tokio::{
        io::AsyncReadExt as _,
        net::{TcpListener, TcpSocket},
    };

    use super::*;

    fn live(n: usize) -> Arc<Live> {
        Arc::new(Live::new(crate::hub::alert_item(
            serde_json::json!({"n": n, "padding": "x".repeat(400)}),
        )))
    }

    /// A served connection whose client has a small receive buffer, and the client.
    async fn connection(
        registry: &Arc<Registry>,
    ) -> (tokio::task::JoinHandle<()>, tokio::net::TcpStream) {
        connection_beating(registry, Duration::from_secs(3600)).await
    }

    async fn connection_beating(
        registry: &Arc<Registry>,
        heartbeat: Duration,
    ) -> (tokio::task::JoinHandle<()>, tokio::net::TcpStream) {
        // Accepted sockets take the listening socket's buffer sizes.
        let listening = TcpSocket::new_v4().expect("socket");
        listening.set_send_buffer_size(4096).expect("small buffer");
        listening
            .bind("127.0.0.1:0".parse().expect("address"))
            .expect("binds");
        let listener: TcpListener = listening.listen(16).expect("listens");
        let client = TcpSocket::new_v4().expect("socket");
        client.set_recv_buffer_size(4096).expect("small buffer");
        let (client, accepted) = tokio::join!(
            client.connect(listener.local_addr().expect("address")),
            listener.accept()
        );
        let (server, _) = accepted.expect("accepts");
        let registration = registry.register(Box::new(|_| true));
        let served = tokio::spawn(registration.serve(server, heartbeat));
        (served, client.expect("connects"))
    }

    /// What a client read: the `n` of each whole event, and the gap notices, in order. The
    /// chunked framing is taken apart strictly: a wrong size or a missing line end fails.
    #[derive(Default)]
    struct Heard {
        seen: Vec<String>,
        /// Bytes not yet taken apart into chunks.
        raw: Vec<u8>,
        /// Event text from whole chunks, after the last whole event.
        text: Vec<u8>,
    }

    impl Heard {
        fn take(&mut self, read: &[u8]) {
            self.raw.extend_from_slice(read);
            while let Some(line) = self.raw.windows(2).position(|w| w == b"\r\n") {
                let size = std::str::from_utf8(&self.raw[..line])
                    .ok()
                    .and_then(|hex| usize::from_str_radix(hex, 16).ok())
                    .unwrap_or_else(|| panic!("a chunk size line: {:?}", &self.raw[..line]));
                let (start, end) = (line + 2, line + 2 + size);
                if self.raw.len() < end + 2 {
                    break;
                }
                assert_eq!(&self.raw[end..end + 2], b"\r\n", "a chunk ends its line");
                self.text.extend_from_slice(&self.raw[start..end]);
                self.raw.drain(..end + 2);
            }
            while let Some(end) = self.text.windows(2).position(|w| w == b"\n\n") {
                let event: Vec<u8> = self.text.drain(..end + 2).collect();
                let event = String::from_utf8(event).expect("UTF-8");
                if event.starts_with(':') {
                    continue;
                }
                let data = event
                    .lines()
                    .find_map(|l| l.strip_prefix("data: "))
                    .expect("a data line");
                let data: serde_json::Value = serde_json::from_str(data).expect("JSON");
                self.seen.push(match data.get("n") {
                    Some(n) => n.to_string(),
                    None => {
                        assert!(event.starts_with("event: gap\n"), "{event}");
                        "gap".to_owned()
                    }
                });
            }
        }

        async fn until(
            &mut self,
            client: &mut tokio::net::TcpStream,
            done: impl Fn(&[String]) -> bool,
        ) {
            let mut buffer = vec![0_u8; 64 * 1024];
            tokio::time::timeout(Duration::from_secs(10), async {
                while !done(&self.seen) {
                    let n = client.read(&mut buffer).await.expect("reads");
                    assert!(n > 0, "the stream closed");
                    self.take(&buffer[..n]);
                }
            })
            .await
            .expect("in time");
        }

        /// Reads what is there now, without waiting for more.
        async fn some(&mut self, client: &mut tokio::net::TcpStream) {
            let mut buffer = vec![0_u8; 8 * 1024];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(5), client.read(&mut buffer)).await
            {
                assert!(n > 0, "the stream closed");
                self.take(&buffer[..n]);
            }
        }
    }

    #[tokio::test]
    async fn a_reader_that_stops_holds_up_no_one_and_is_told_what_it_missed() {
        // Two shares: the two readers are written to by different fan-outs.
        let registry = Arc::new(Registry::new(2));
        let (_slow_served, mut slow) = connection(&registry).await;
        let (_fast_served, mut fast) = connection(&registry).await;
        // The slow reader reads nothing while its socket fills and its queue grows past the
        // limit; the fast one reads along.
        let total = QUEUE_LIMIT + 500;
        let mut fast_heard = Heard::default();
        for n in 0..total {
            registry.fan_out(&live(n));
            if n % 100 == 99 {
                fast_heard.until(&mut fast, |seen| seen.len() > n).await;
            }
        }
        fast_heard
            .until(&mut fast, |seen| seen.len() == total)
            .await;
        let expected: Vec<String> = (0..total).map(|n| n.to_string()).collect();
        assert_eq!(
            fast_heard.seen, expected,
            "the fast reader has every event, in order"
        );

        // Now the slow reader reads, while events keep coming.
        let mut slow_heard = Heard::default();
        let mut n = total;
        while !slow_heard.seen.iter().any(|e| e == "gap") {
            slow_heard.some(&mut slow).await;
            registry.fan_out(&live(n));
            n += 1;
            assert!(n < total + 20_000, "no gap notice");
        }
        let gap = slow_heard
            .seen
            .iter()
            .position(|e| e == "gap")
            .expect("gap");
        let kept = &slow_heard.seen[..gap];
        assert!(
            kept.len() >= QUEUE_LIMIT && kept.len() < total,
            "{} kept",
            kept.len()
        );
        assert_eq!(
            kept,
            &expected[..kept.len()],
            "before the notice: what it kept, in order from the start, and nothing after the hole"
        );

        // Past the notice, events as they come, in order.
        registry.fan_out(&live(n));
        slow_heard
            .until(&mut slow, |seen| {
                seen.last().is_some_and(|e| *e == n.to_string())
            })
            .await;
        let after: Vec<usize> = slow_heard.seen[gap + 1..]
            .iter()
            .map(|e| e.parse().expect("an event after the notice"))
            .collect();
        assert!(after.windows(2).all(|w| w[0] < w[1]), "{after:?}");
        assert!(after.first().is_some_and(|&first| first >= total));
    }

    #[tokio::test]
    async fn events_before_the_connection_is_served_wait_and_the_replayed_are_skipped() {
        let registry = Arc::new(Registry::default());
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let (client, accepted) = tokio::join!(
            tokio::net::TcpStream::connect(listener.local_addr().expect("address")),
            listener.accept()
        );
        let (mut client, (server, _)) = (client.expect("connects"), accepted.expect("accepts"));
        let registration = registry.register(Box::new(|_| true));
        let (replayed, waiting) = (live(0), live(1));
        registry.fan_out(&replayed);
        registry.fan_out(&waiting);
        registration.replayed_up_to(Some(replayed.item.id));
        let _served = tokio::spawn(registration.serve(server, Duration::from_secs(3600)));
        registry.fan_out(&live(2));
        let mut heard = Heard::default();
        heard.until(&mut client, |seen| seen.len() >= 2).await;
        assert_eq!(heard.seen, ["1", "2"]);
    }

    #[tokio::test]
    async fn a_reader_that_takes_nothing_for_four_beats_is_closed() {
        let registry = Arc::new(Registry::default());
        let (served, client) = connection_beating(&registry, Duration::from_millis(100)).await;
        // Enough to fill both sockets' small buffers, so that events wait.
        for n in 0..200 {
            registry.fan_out(&live(n));
        }
        tokio::time::timeout(Duration::from_secs(5), served)
            .await
            .expect("serving ends")
            .expect("no panic");
        assert_eq!(registry.connections(), 0);
        drop(client);
    }

    #[tokio::test]
    async fn a_connection_that_hangs_up_leaves_the_registry() {
        let registry = Arc::new(Registry::new(2));
        let (served, client) = connection(&registry).await;
        assert_eq!(registry.connections(), 1);
        drop(client);
        tokio::time::timeout(Duration::from_secs(5), served)
            .await
            .expect("serving ends")
            .expect("no panic");
        assert_eq!(registry.connections(), 0);
    }
}
