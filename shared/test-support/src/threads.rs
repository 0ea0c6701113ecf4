//! A process's threads, as the kernel sees them (`/proc/<pid>/task`).

/// `SCHED_FIFO` in `/proc/<pid>/task/<tid>/stat`.
pub const SCHED_FIFO: u32 = 1;

/// How one thread is scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduling {
    pub name: String,
    /// The policy's number (`SCHED_FIFO` is 1, the normal policy 0).
    pub policy: u32,
    /// The real-time priority; 0 under the normal policy.
    pub priority: u32,
}

/// The threads of process `pid` (`"self"` for this one) whose names start with `prefix`.
pub fn scheduling_of(pid: &str, prefix: &str) -> Vec<Scheduling> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return Vec::new();
    };
    tasks
        .filter_map(|task| {
            let path = task.ok()?.path();
            let name = std::fs::read_to_string(path.join("comm")).ok()?;
            let name = name.trim().to_owned();
            if !name.starts_with(prefix) {
                return None;
            }
            // Fields 40 and 41 of `stat` are the real-time priority and the policy
            // (proc(5)); the fields after the name's `)` start at 3.
            let stat = std::fs::read_to_string(path.join("stat")).ok()?;
            let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
            Some(Scheduling {
                name,
                priority: fields.get(40 - 3)?.parse().ok()?,
                policy: fields.get(41 - 3)?.parse().ok()?,
            })
        })
        .collect()
}

/// Waits up to `within` for this process's threads named `prefix…` to exist and all to run
/// under `SCHED_FIFO` (they set it themselves once started); returns how they run then.
pub async fn wait_until_running_first(
    prefix: &str,
    within: std::time::Duration,
) -> Vec<Scheduling> {
    let deadline = std::time::Instant::now() + within;
    loop {
        let threads = scheduling_of("self", prefix);
        let settled = !threads.is_empty() && threads.iter().all(|t| t.policy == SCHED_FIFO);
        if settled || std::time::Instant::now() > deadline {
            return threads;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
