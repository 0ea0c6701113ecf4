//! This process's threads, as the kernel sees them.

/// `SCHED_FIFO` in `/proc/<pid>/task/<tid>/stat`.
pub const SCHED_FIFO: u32 = 1;

/// The scheduling policy of each of this process's threads whose name starts with `prefix`.
pub fn scheduling_policies(prefix: &str) -> Vec<(String, u32)> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
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
            // Field 41 of `stat` is the policy (proc(5)); the fields after the name's `)`
            // start at 3.
            let stat = std::fs::read_to_string(path.join("stat")).ok()?;
            let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
            Some((name, fields.get(41 - 3)?.parse().ok()?))
        })
        .collect()
}

/// Waits up to `within` for threads named `prefix…` to exist and all to run under
/// `SCHED_FIFO` (they set it themselves once started); returns what they run under then.
pub async fn wait_until_running_first(
    prefix: &str,
    within: std::time::Duration,
) -> Vec<(String, u32)> {
    let deadline = std::time::Instant::now() + within;
    loop {
        let threads = scheduling_policies(prefix);
        let settled =
            !threads.is_empty() && threads.iter().all(|(_, policy)| *policy == SCHED_FIFO);
        if settled || std::time::Instant::now() > deadline {
            return threads;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
