//! Bulk work yields the processor to the urgent paths.
//!
//! On a busy machine the operating system shares the cores between whatever is runnable.
//! A service that works through a backlog (triage classifying a hundred thousand routine
//! reports) would take its full share while an important report's alert waits in a queue
//! of runnable threads, in this process or in the NATS server. Running the backlog's threads
//! at a lower priority (a higher nice value) lets everything else on the machine run first
//! and the backlog take the rest: it still uses every idle cycle.
//!
//! The other way round, the few threads an important alert passes through (triage's alert
//! consumer, notification's fan-out) run under the real-time policy `SCHED_FIFO` where the
//! operating system allows it: see [`make_this_thread_urgent`].

use std::future::Future;

/// The nice value of bulk threads unless `PRISM_BULK_NICE` says otherwise (0 turns the
/// lowering off): CFS gives a nice-10 thread about a tenth of the weight of a nice-0 one
/// while both want the processor.
pub const BULK_NICE: i32 = 10;

/// `PRISM_BULK_NICE`, or [`BULK_NICE`]. An environment variable, not a setting: the
/// runtime exists before the settings are read.
fn bulk_nice() -> i32 {
    std::env::var("PRISM_BULK_NICE")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map_or(BULK_NICE, |nice: i32| nice.clamp(0, 19))
}

/// A multi-thread runtime whose threads (workers and blocking pool, and every thread they
/// start, which inherits their nice value) run at the bulk nice value. Threads the caller starts
/// itself, outside the runtime, keep the process's priority: that is where urgent work goes.
pub fn bulk_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let nice = bulk_nice();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(move || lower_this_thread(nice))
        .build()
}

/// Lowers the calling thread's priority to `nice`; on Linux the nice value belongs to the
/// thread, not the process. Failing to is logged, not fatal: the work is the same.
fn lower_this_thread(nice: i32) {
    if nice == 0 {
        return;
    }
    if let Err(error) = rustix::process::setpriority_process(None, nice) {
        tracing::warn!(error = %error, "could not lower a bulk thread's priority");
    }
}

/// The `SCHED_FIFO` priority of urgent threads unless `PRISM_URGENT_PRIORITY` says otherwise
/// (0 leaves them under the normal policy). Low in the range 1-99: above every ordinary
/// thread, below the kernel's own real-time threads.
pub const URGENT_PRIORITY: u8 = 10;

fn urgent_priority() -> u8 {
    std::env::var("PRISM_URGENT_PRIORITY")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map_or(URGENT_PRIORITY, |priority: u8| priority.min(99))
}

/// Puts the calling thread under `SCHED_FIFO` at the urgent priority, so that it runs the
/// moment it is woken instead of waiting for its turn among the runnable threads.
///
/// Nice values were not enough: on a machine kept busy by routine reports, a fan-out at nice
/// -10 still lost the processor to other threads in the middle of writing to a thousand
/// connections, and the last subscribers heard of an alert tens of milliseconds after the
/// first (`alert-latency` benchmark, PostgreSQL: fan-out from first to last subscriber at the
/// socket p50 33.1 ms under the normal policy, 6.1 ms under `SCHED_FIFO`).
///
/// Only threads that sleep until an event arrives and then do a bounded piece of work may
/// be urgent: a real-time thread that kept running would hold its processor (the kernel
/// still keeps 5% of it for the others). Refused (no `CAP_SYS_NICE`, no `RLIMIT_RTPRIO`;
/// in a container, `--ulimit rtprio=10`) is logged once and not fatal: the thread runs
/// under the normal policy, just later when the machine is busy.
///
/// Returns whether the thread is now urgent.
pub fn make_this_thread_urgent() -> bool {
    let priority = urgent_priority();
    if priority == 0 {
        return false;
    }
    let made = set_fifo(priority);
    if let Err(error) = &made {
        static REFUSED: std::sync::Once = std::sync::Once::new();
        REFUSED.call_once(|| {
            tracing::warn!(
                error = %error,
                priority,
                "urgent threads run under the normal scheduling policy: SCHED_FIFO was refused \
                 (grant CAP_SYS_NICE or RLIMIT_RTPRIO, or set PRISM_URGENT_PRIORITY=0)"
            );
        });
    }
    made.is_ok()
}

fn set_fifo(priority: u8) -> anyhow::Result<()> {
    use thread_priority::{
        RealtimeThreadSchedulePolicy, ThreadPriority, ThreadPriorityValue, ThreadSchedulePolicy,
    };
    let value = ThreadPriorityValue::try_from(priority).map_err(anyhow::Error::msg)?;
    thread_priority::set_thread_priority_and_policy(
        thread_priority::thread_native_id(),
        ThreadPriority::Crossplatform(value),
        ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo),
    )
    .map_err(|error| anyhow::anyhow!("{error:?}"))
}

/// Runs `work` on a thread of its own with a current-thread runtime, and returns a future
/// that finishes with its result. The thread starts now, from the calling thread, so it
/// never takes a bulk runtime's nice value, and it is made urgent
/// ([`make_this_thread_urgent`]): `work` must be a consumer that waits for messages and
/// handles each in a bounded time. It polls only its own tasks, so it is woken by the
/// operating system as soon as its sockets have something.
pub fn run_apart<T, F>(
    name: &str,
    work: impl FnOnce() -> F + Send + 'static,
) -> impl Future<Output = anyhow::Result<T>>
where
    F: Future<Output = anyhow::Result<T>>,
    T: Send + 'static,
{
    let (done, finished) = tokio::sync::oneshot::channel();
    let started = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let _ = make_this_thread_urgent();
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| runtime.block_on(work()));
            let _ = done.send(result);
        });
    async move {
        started?;
        finished.await?
    }
}

#[cfg(test)]
mod tests {
    use thread_priority::{RealtimeThreadSchedulePolicy, ThreadSchedulePolicy};

    use super::*;

    /// Whether this process may use `SCHED_FIFO` at `priority`: `CAP_SYS_NICE`, or an
    /// `RLIMIT_RTPRIO` that reaches it.
    fn may_use_fifo(priority: u8) -> bool {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        let effective = status
            .lines()
            .find_map(|line| line.strip_prefix("CapEff:"))
            .and_then(|bits| u64::from_str_radix(bits.trim(), 16).ok())
            .unwrap_or(0);
        const CAP_SYS_NICE: u32 = 23;
        let limit = rustix::process::getrlimit(rustix::process::Resource::Rtprio).current;
        effective & (1 << CAP_SYS_NICE) != 0 || limit.is_none_or(|l| l >= u64::from(priority))
    }

    #[test]
    fn an_urgent_thread_runs_under_fifo_where_the_process_may() {
        let allowed = may_use_fifo(URGENT_PRIORITY);
        let (made, policy) = std::thread::spawn(|| {
            let made = set_fifo(URGENT_PRIORITY).is_ok();
            (
                made,
                thread_priority::thread_schedule_policy().expect("policy"),
            )
        })
        .join()
        .expect("thread");
        assert_eq!(made, allowed, "SCHED_FIFO taken exactly when permitted");
        let fifo = ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo);
        assert_eq!(policy == fifo, allowed);
    }

    #[tokio::test]
    async fn a_thread_apart_is_urgent_and_the_caller_is_not() {
        let allowed = may_use_fifo(URGENT_PRIORITY);
        let apart = run_apart("probe", || async {
            thread_priority::thread_schedule_policy().map_err(|e| anyhow::anyhow!("{e:?}"))
        })
        .await
        .expect("ran apart");
        let fifo = ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo);
        assert_eq!(apart == fifo, allowed && urgent_priority() > 0);
        let here = thread_priority::thread_schedule_policy().expect("policy");
        assert_ne!(here, fifo, "the caller keeps its policy");
    }
}
