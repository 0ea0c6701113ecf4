//! Results: a JSON file per run and a markdown row per run in RESULTS.md.

use std::{io::Write as _, path::Path};

use anyhow::Context as _;
use serde::Serialize;

/// What a scenario measured.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub scenario: &'static str,
    /// The settings the scenario ran with.
    pub settings: serde_json::Value,
    /// The figures, with their references (floor, targets) beside them.
    pub figures: serde_json::Value,
    /// One line for the markdown table.
    pub headline: String,
}

/// Writes `deploy/bench/results/<scenario>-<database>-<time>.json` and appends to RESULTS.md.
pub fn write(out: &Path, database: &str, outcome: &Outcome) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let machine = machine();
    let record = serde_json::json!({
        "scenario": outcome.scenario, "database": database, "date": now.to_rfc3339(),
        "machine": machine, "settings": outcome.settings, "figures": outcome.figures,
    });
    let dir = out.join("results");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = dir.join(format!(
        "{}-{database}-{}.json",
        outcome.scenario,
        now.format("%Y%m%dT%H%M%SZ")
    ));
    std::fs::write(&file, serde_json::to_string_pretty(&record)?)?;

    let table = out.join("RESULTS.md");
    let fresh = !table.exists();
    let mut md = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&table)?;
    if fresh {
        writeln!(md, "# PRISM benchmark results\n")?;
        writeln!(
            md,
            "Appended by `prism-bench`; each row links its JSON under `results/`.\n"
        )?;
        writeln!(
            md,
            "| date | scenario | database | machine | settings | result |"
        )?;
        writeln!(md, "|---|---|---|---|---|---|")?;
    }
    writeln!(
        md,
        "| {} | {} | {database} | {} | `{}` | {} ([json](results/{})) |",
        now.format("%Y-%m-%d %H:%M"),
        outcome.scenario,
        machine["summary"].as_str().unwrap_or(""),
        outcome.settings,
        outcome.headline,
        file.file_name().and_then(|f| f.to_str()).unwrap_or(""),
    )?;
    Ok(())
}

fn machine() -> serde_json::Value {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").to_owned())
        })
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| kib / 1024 / 1024)
        .unwrap_or(0);
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    serde_json::json!({
        "cores": cores, "memory_gib": memory, "bench_build": profile,
        "summary": format!("{cores} cores, {memory} GiB, bench {profile}"),
    })
}
