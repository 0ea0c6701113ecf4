//! The triage service.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (settings, _) = prism_platform::config::load::<prism_platform::config::NoOwnSettings>(
        triage::NAME,
        triage::DEFAULT_PORT,
    )?;
    let _telemetry = prism_platform::telemetry::init(triage::NAME, &settings.telemetry)?;
    let application = triage::Application::build(settings).await?;
    application
        .run_until(prism_runtime::shutdown_signal())
        .await
}
