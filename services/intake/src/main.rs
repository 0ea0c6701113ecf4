//! The intake service.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (settings, own) = prism_platform::config::load::<intake::config::IntakeSettings>(
        intake::NAME,
        intake::DEFAULT_PORT,
    )?;
    own.validate()?;
    let _telemetry = prism_platform::telemetry::init(intake::NAME, &settings.telemetry)?;
    let application = intake::Application::build_with(settings, own).await?;
    application
        .run_until(prism_runtime::shutdown_signal())
        .await
}
