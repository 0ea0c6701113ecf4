//! The notification service.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (settings, _) = prism_platform::config::load::<prism_platform::config::NoOwnSettings>(
        notification::NAME,
        notification::DEFAULT_PORT,
    )?;
    let _telemetry = prism_platform::telemetry::init(notification::NAME, &settings.telemetry)?;
    let application = notification::Application::build(settings).await?;
    application
        .run_until(prism_runtime::shutdown_signal())
        .await
}
