//! The warning-publication service.

use prism_platform::config::NoOwnSettings;
use warning_publication::{Application, DEFAULT_PORT, NAME};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (settings, _) = prism_platform::config::load::<NoOwnSettings>(NAME, DEFAULT_PORT)?;
    let _telemetry = prism_platform::telemetry::init(NAME, &settings.telemetry)?;
    let application = Application::build(settings).await?;
    application
        .run_until(prism_runtime::shutdown_signal())
        .await
}
