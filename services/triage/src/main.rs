//! The triage service.

fn main() -> anyhow::Result<()> {
    // Classification and clustering run on bulk-priority threads; the alert consumer starts
    // its own thread from this one, at the process's priority (see `messaging::alerts`).
    prism_runtime::priority::bulk_runtime()?.block_on(async {
        let (settings, _) = prism_platform::config::load::<prism_platform::config::NoOwnSettings>(
            triage::NAME,
            triage::DEFAULT_PORT,
        )?;
        let _telemetry = prism_platform::telemetry::init(triage::NAME, &settings.telemetry)?;
        let application = triage::Application::build(settings).await?;
        application
            .run_until(prism_runtime::shutdown_signal())
            .await
    })
}
