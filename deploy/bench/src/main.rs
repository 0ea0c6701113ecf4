//! `prism-bench`: PRISM measured the way a regulator experiences it, through the public HTTP
//! and SSE interfaces of a running stack (`make up` writes the `stack.json` it reads), with
//! each figure beside a floor measured in the same run on the same machine.
//!
//! - [`scenarios::floor`]: bare JetStream (publish, pull, ack) and a bare database commit.
//! - [`scenarios::alert_latency`]: SSE subscribers, routine load in the background,
//!   important reports: latency from the `201` to the SSE event.
//! - [`scenarios::fanout`]: one alert to many connected subscribers; memory per connection.
//! - [`scenarios::burst`]: a batch upload burst while important reports keep arriving.
//! - [`scenarios::public_reads`]: warnings and the Atom feed beside nginx with the same bytes.
//! - [`scenarios::peer`]: the webhook channel beside Prometheus Alertmanager.
//!
//! Every run writes JSON under `deploy/bench/results/` and appends a markdown table to
//! `deploy/bench/RESULTS.md` with the machine, versions, settings and date.

mod report;
mod scenarios;
mod stack;
mod stats;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "prism-bench", about = "PRISM's system benchmarks", version)]
struct Cli {
    /// The stack to drive: the `stack.json` that `make up` wrote.
    #[arg(long, default_value = "var/stack.json", global = true)]
    stack: std::path::PathBuf,
    /// Label of the database the stack runs on, for the results (`sqlite` or `postgres`).
    #[arg(long, default_value = "sqlite", global = true)]
    database: String,
    /// Where results go (JSON files and RESULTS.md).
    #[arg(long, default_value = "deploy/bench", global = true)]
    out: std::path::PathBuf,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Bare JetStream round trips and bare database commits.
    Floor(scenarios::floor::Args),
    /// Important-alert latency under routine load, to connected SSE subscribers.
    AlertLatency(scenarios::alert_latency::Args),
    /// One alert to many subscribers: time to the last delivery, memory per connection.
    Fanout(scenarios::fanout::Args),
    /// A batch upload burst while important reports keep arriving.
    Burst(scenarios::burst::Args),
    /// Public reads of warnings and the Atom feed, beside nginx serving the same bytes.
    PublicReads(scenarios::public_reads::Args),
    /// PRISM's webhook channel beside Prometheus Alertmanager.
    Peer(scenarios::peer::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let stack = stack::Stack::read(&cli.stack)?;
    let outcome = match cli.scenario {
        Scenario::Floor(args) => scenarios::floor::run(&stack, args, &cli.database).await?,
        Scenario::AlertLatency(args) => scenarios::alert_latency::run(&stack, args).await?,
        Scenario::Fanout(args) => scenarios::fanout::run(&stack, args).await?,
        Scenario::Burst(args) => scenarios::burst::run(&stack, args).await?,
        Scenario::PublicReads(args) => scenarios::public_reads::run(&stack, args).await?,
        Scenario::Peer(args) => scenarios::peer::run(&stack, args).await?,
    };
    report::write(&cli.out, &cli.database, &outcome)?;
    println!("{}", serde_json::to_string_pretty(&outcome.figures)?);
    Ok(())
}
