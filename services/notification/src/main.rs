//! The notification service.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (settings, own) = prism_platform::config::load::<notification::config::NotificationSettings>(
        notification::NAME,
        notification::DEFAULT_PORT,
    )?;
    let _telemetry = prism_platform::telemetry::init(notification::NAME, &settings.telemetry)?;
    let application = notification::Application::build_with(settings, own).await?;
    application
        .run_until(prism_runtime::shutdown_signal())
        .await
}
