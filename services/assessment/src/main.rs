//! The assessment service.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (settings, own) = prism_platform::config::load::<assessment::config::AssessmentSettings>(
        assessment::NAME,
        assessment::DEFAULT_PORT,
    )?;
    let _telemetry = prism_platform::telemetry::init(assessment::NAME, &settings.telemetry)?;
    let application = assessment::Application::build(settings, own).await?;
    application
        .run_until(prism_runtime::shutdown_signal())
        .await
}
