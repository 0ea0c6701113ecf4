//! The running stack, as `make up` describes it in `stack.json`.

use std::{collections::HashMap, path::Path};

use anyhow::Context as _;
use serde::Deserialize;

/// What the benchmarks need from `stack.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct Stack {
    pub nats_url: String,
    pub services: HashMap<String, String>,
    pub tokens: HashMap<String, String>,
    pub stations: Vec<Station>,
    #[serde(default)]
    pub pids: HashMap<String, u32>,
}

/// A demo station and its key.
#[derive(Debug, Clone, Deserialize)]
pub struct Station {
    pub api_key: String,
    #[serde(default)]
    pub districts: Vec<String>,
}

impl Stack {
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading {} (run `make up` first)", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a stack.json", path.display()))
    }

    /// A service's base URL.
    pub fn url(&self, service: &str) -> anyhow::Result<&str> {
        self.services
            .get(service)
            .map(String::as_str)
            .with_context(|| format!("stack.json names no {service}"))
    }

    /// A demo token by role.
    pub fn token(&self, role: &str) -> anyhow::Result<&str> {
        self.tokens
            .get(role)
            .map(String::as_str)
            .with_context(|| format!("stack.json has no {role} token"))
    }

    /// How a service's threads named `prefix…` are scheduled, for the outcome's record:
    /// `SCHED_FIFO <priority>`, `normal` or `mixed`, with how many there are.
    pub fn scheduling(&self, service: &str, prefix: &str) -> Option<String> {
        let pid = self.pids.get(service)?;
        let threads = prism_test_support::threads::scheduling_of(&pid.to_string(), prefix);
        let says = |t: &prism_test_support::threads::Scheduling| match t.policy {
            prism_test_support::threads::SCHED_FIFO => format!("SCHED_FIFO {}", t.priority),
            _ => "normal".to_owned(),
        };
        let first = says(threads.first()?);
        let all = threads.iter().all(|t| says(t) == first);
        Some(format!(
            "{} ({} threads)",
            if all { first } else { "mixed".to_owned() },
            threads.len()
        ))
    }

    /// The resident memory of a service's process, in KiB (Linux).
    pub fn rss_kib(&self, service: &str) -> Option<u64> {
        let pid = self.pids.get(service)?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    }
}
