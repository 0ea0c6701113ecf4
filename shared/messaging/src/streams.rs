//! NATS connection and the JetStream streams.

use std::time::Duration;

use anyhow::Context as _;
use async_nats::jetstream::{self, stream};
use prism_contracts::subjects::{StreamSpec, ALL_STREAMS, DEAD_LETTER};

/// How long JetStream remembers message ids for deduplication. Longer than any relay retry,
/// so a republish after a crash is dropped as a duplicate.
pub const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Connects to NATS, naming the connection after the service.
pub async fn connect(url: &str, service: &str) -> anyhow::Result<async_nats::Client> {
    async_nats::ConnectOptions::new()
        .name(format!("prism-{service}"))
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .with_context(|| format!("connecting to NATS at {url}"))
}

/// Creates every PRISM stream, or updates it to the current configuration. Every service
/// calls this at start, so whichever starts first, the streams exist before anyone publishes.
pub async fn ensure_all(js: &jetstream::Context) -> anyhow::Result<()> {
    for spec in ALL_STREAMS {
        ensure(js, spec).await?;
    }
    Ok(())
}

/// Creates or updates one stream.
pub async fn ensure(js: &jetstream::Context, spec: StreamSpec) -> anyhow::Result<()> {
    let max_age_days = if spec == DEAD_LETTER { 90 } else { 30 };
    let config = stream::Config {
        name: spec.name.to_owned(),
        subjects: spec.subjects.iter().map(|s| (*s).to_owned()).collect(),
        storage: stream::StorageType::File,
        retention: stream::RetentionPolicy::Limits,
        max_age: Duration::from_secs(max_age_days * 24 * 3600),
        duplicate_window: DUPLICATE_WINDOW,
        num_replicas: 1,
        ..Default::default()
    };
    match js.get_stream(spec.name).await {
        Ok(_) => {
            js.update_stream(&config)
                .await
                .with_context(|| format!("updating stream {}", spec.name))?;
        }
        Err(_) => {
            // Another instance may have created it meanwhile; get_or_create tolerates that.
            js.get_or_create_stream(config)
                .await
                .with_context(|| format!("creating stream {}", spec.name))?;
        }
    }
    Ok(())
}
