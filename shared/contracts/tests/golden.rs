//! Every event has a golden JSON file; each test proves that the golden file still decodes
//! (fields are only ever added) and that encoding gives back the same JSON.

use prism_contracts::{
    events::{assessment, intake, notification, triage, warning},
    Envelope, Event, RawEnvelope,
};
use serde_json::Value;

fn golden_round_trip<T: Event + std::fmt::Debug + PartialEq>(file: &str) {
    let path = format!("{}/tests/golden/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("golden file exists");
    let golden: Value = serde_json::from_str(&text).expect("golden file is JSON");

    let raw = RawEnvelope::from_slice(text.as_bytes()).expect("golden file is an envelope");
    let envelope: Envelope<T> = raw.decode().expect("golden payload decodes");
    assert_eq!(envelope.event_type, T::TYPE);
    assert!(envelope.schema_version <= T::SCHEMA_VERSION);

    let encoded = serde_json::to_value(&envelope).expect("envelope encodes");
    assert_eq!(encoded, golden, "{file} does not round-trip");
}

#[test]
fn report_received_round_trips() {
    golden_round_trip::<intake::ReportReceived>("report.received.json");
}

#[test]
fn report_classified_round_trips() {
    golden_round_trip::<triage::ReportClassified>("report.classified.json");
}

#[test]
fn alert_raised_round_trips() {
    golden_round_trip::<triage::AlertRaised>("alert.raised.json");
}

#[test]
fn case_opened_round_trips() {
    golden_round_trip::<assessment::CaseOpened>("case.opened.json");
}

#[test]
fn decision_recorded_round_trips() {
    golden_round_trip::<assessment::DecisionRecorded>("decision.recorded.json");
}

#[test]
fn warning_drafted_round_trips() {
    golden_round_trip::<warning::WarningDrafted>("warning.drafted.json");
}

#[test]
fn warning_published_round_trips() {
    golden_round_trip::<warning::WarningPublished>("warning.published.json");
}

#[test]
fn alert_delivered_round_trips() {
    golden_round_trip::<notification::AlertDelivered>("alert.delivered.json");
}

#[test]
fn station_report_overdue_round_trips() {
    golden_round_trip::<intake::StationReportOverdue>("station.report_overdue.json");
}

#[test]
fn signal_events_round_trip() {
    golden_round_trip::<triage::SignalOpened>("signal.opened.json");
    golden_round_trip::<triage::SignalUpdated>("signal.updated.json");
    golden_round_trip::<triage::SignalEscalated>("signal.escalated.json");
    golden_round_trip::<triage::SignalDismissed>("signal.dismissed.json");
    golden_round_trip::<triage::CatalogueUpdated>("catalogue.updated.json");
}

#[test]
fn case_events_round_trip() {
    golden_round_trip::<assessment::ExpertsAssigned>("case.experts_assigned.json");
    golden_round_trip::<assessment::CaseAssessed>("case.assessed.json");
    golden_round_trip::<assessment::CaseOverdue>("case.overdue.json");
}

#[test]
fn warning_changes_round_trip() {
    golden_round_trip::<warning::WarningUpdated>("warning.updated.json");
    golden_round_trip::<warning::WarningCancelled>("warning.cancelled.json");
}

#[test]
fn acknowledgement_and_escalation_round_trip() {
    golden_round_trip::<notification::AlertAcknowledged>("alert.acknowledged.json");
    golden_round_trip::<notification::AlertEscalated>("alert.escalated.json");
}

#[test]
fn an_important_report_travels_in_the_important_lane() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/golden/report.received.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("golden file exists");
    let envelope: Envelope<intake::ReportReceived> = RawEnvelope::from_slice(text.as_bytes())
        .and_then(RawEnvelope::decode)
        .expect("decodes");
    assert_eq!(
        envelope.subject(),
        "prism.v1.intake.report.received.important"
    );
}

#[test]
fn a_payload_of_another_type_is_refused() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/golden/alert.raised.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("golden file exists");
    let raw = RawEnvelope::from_slice(text.as_bytes()).expect("envelope");
    assert!(raw.decode::<intake::ReportReceived>().is_err());
}
