//! Urgent threads: the few an important alert passes through (triage's alert consumer,
//! notification's fan-out) run under the real-time policy `SCHED_FIFO` where the operating
//! system allows it, so that they run the moment they are woken instead of waiting for
//! their turn among the runnable threads.
//!
//! Nice values were not enough: on a machine kept busy by routine reports, a fan-out at nice
//! −10 still lost the processor in the middle of writing to a thousand connections, and the
//! last subscribers heard of an alert tens of milliseconds after the first. Measured with
//! `prism-bench alert-latency` (PostgreSQL, 1,000 subscribers, 500 routine reports/s): from
//! the first subscriber's socket to the last, p50 33.1 ms under the normal policy and 4.1 ms
//! with these threads under `SCHED_FIFO` (`deploy/bench/SERVICES.md`).
//!
//! Only a thread that sleeps until an event arrives and then does a bounded piece of work may
//! be urgent: a real-time thread that kept running would hold its processor (the kernel
//! keeps 5% of it for the others). Threads an urgent thread starts do not inherit the policy.

/// The `SCHED_FIFO` priority of urgent threads unless `PRISM_URGENT_PRIORITY` says otherwise
/// (0 leaves them under the normal policy). Low in the range 1–99: above every thread under
/// the normal policy, below the kernel's real-time threads (migration, watchdog).
pub const URGENT_PRIORITY: u8 = 10;

/// `PRISM_URGENT_PRIORITY`, or [`URGENT_PRIORITY`]. An environment variable, not a setting,
/// like `PRISM_BULK_NICE`: threads start before the settings are read.
pub fn urgent_priority() -> u8 {
    let Ok(value) = std::env::var("PRISM_URGENT_PRIORITY") else {
        return URGENT_PRIORITY;
    };
    match value.trim().parse::<u8>() {
        Ok(priority) if priority <= 99 => priority,
        _ => {
            tracing::warn!(
                value,
                default = URGENT_PRIORITY,
                "PRISM_URGENT_PRIORITY is not a number from 0 to 99; using the default"
            );
            URGENT_PRIORITY
        }
    }
}

/// Makes the calling thread urgent at [`urgent_priority`]; returns whether it is.
///
/// Refused (no `CAP_SYS_NICE` and no `RLIMIT_RTPRIO` that reaches the priority; in a
/// container, `--ulimit rtprio=10`) is logged once and not fatal: the thread runs under the
/// normal policy, only later when the machine is busy.
pub fn make_this_thread_urgent() -> bool {
    let priority = urgent_priority();
    if priority == 0 {
        return false;
    }
    let made = run_first(priority);
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

/// Puts the calling thread under `SCHED_FIFO` at `priority` (1–99). Threads it starts later
/// run under the normal policy (`SCHED_RESET_ON_FORK`): a runtime's blocking pool, started
/// from an urgent thread for a name lookup, say, must not be urgent too.
#[cfg(target_os = "linux")]
pub fn run_first(priority: u8) -> std::io::Result<()> {
    let param = libc::sched_param {
        sched_priority: libc::c_int::from(priority),
    };
    // SAFETY: `sched_setscheduler` only reads `param`, which lives across the call; pid 0 is
    // the calling thread.
    let result = unsafe {
        libc::sched_setscheduler(0, libc::SCHED_FIFO | libc::SCHED_RESET_ON_FORK, &param)
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
pub fn run_first(_priority: u8) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Whether the calling thread runs under `SCHED_FIFO`.
#[cfg(target_os = "linux")]
pub fn runs_first() -> bool {
    // SAFETY: no memory is passed; pid 0 is the calling thread.
    let policy = unsafe { libc::sched_getscheduler(0) };
    policy >= 0 && policy & !libc::SCHED_RESET_ON_FORK == libc::SCHED_FIFO
}

#[cfg(not(target_os = "linux"))]
pub fn runs_first() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether this process may use `SCHED_FIFO` at `priority`: `CAP_SYS_NICE`, or an
    /// `RLIMIT_RTPRIO` that reaches it, and no real-time group scheduling that gives its
    /// group no time (cgroup v1 `cpu.rt_runtime_us` of 0, as in a container by default).
    fn may_run_first(priority: u8) -> bool {
        let no_group_budget = std::fs::read_to_string("/sys/fs/cgroup/cpu/cpu.rt_runtime_us")
            .is_ok_and(|budget| budget.trim() == "0");
        permitted(priority) && !no_group_budget
    }

    fn permitted(priority: u8) -> bool {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
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
    fn an_urgent_thread_runs_first_where_the_process_may() {
        let (made, first) = std::thread::spawn(|| (run_first(URGENT_PRIORITY), runs_first()))
            .join()
            .expect("thread");
        assert_eq!(
            made.is_ok(),
            first,
            "what is reported is what is so: {made:?}"
        );
        if may_run_first(URGENT_PRIORITY) {
            assert!(first, "permitted, so taken: {made:?}");
        }
        assert!(!runs_first(), "only the thread that asked");
    }

    #[test]
    fn threads_an_urgent_thread_starts_run_normally() {
        let (made, child) = std::thread::spawn(|| {
            let made = run_first(URGENT_PRIORITY).is_ok();
            let child = std::thread::spawn(runs_first).join().expect("child");
            (made, child)
        })
        .join()
        .expect("thread");
        if !made {
            eprintln!("SCHED_FIFO refused here; nothing to inherit");
        }
        assert!(!child, "a child of an urgent thread is not urgent");
    }
}
