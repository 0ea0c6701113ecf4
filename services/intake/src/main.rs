//! The intake service.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (settings, _) = prism_platform::config::load::<prism_platform::config::NoOwnSettings>(
        intake::NAME,
        intake::DEFAULT_PORT,
    )?;
    let _telemetry = prism_platform::telemetry::init(intake::NAME, &settings.telemetry)?;
    let application = intake::Application::build(settings).await?;
    application
        .run_until(prism_runtime::shutdown_signal())
        .await
}
