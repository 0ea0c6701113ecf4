//! Bulk work yields the processor to the urgent paths.
//!
//! On a busy machine the operating system shares the cores between whatever is runnable.
//! A service that works through a backlog (triage classifying a hundred thousand routine
//! reports) would take its full share while an important report's alert waits in a queue
//! of runnable threads, in this process or in the NATS server. Running the backlog's threads
//! at a lower priority (a higher nice value) lets everything else on the machine run first
//! and the backlog take the rest: it still uses every idle cycle.
//!
//! The other way round, the few threads an important alert passes through run under the
//! real-time policy `SCHED_FIFO` where the operating system allows it: see [`urgent`].

pub mod urgent;

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

/// Runs `work` on a thread of its own with a current-thread runtime, and returns a future
/// that finishes with its result. The thread starts now, from the calling thread, and so
/// takes the caller's priority rather than a bulk runtime's; it polls only its own tasks,
/// so it is woken by the operating system as soon as its sockets have something. `work` is
/// called on that thread, and may make it urgent ([`urgent::make_this_thread_urgent`]).
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
