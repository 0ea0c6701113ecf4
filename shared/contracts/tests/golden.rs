//! Every event has a golden JSON file; each test proves that the golden file still decodes
//! (fields are only ever added) and that encoding gives back the same JSON.

use prism_contracts::{
    events::{assessment, intake, notification, triage, warning},
    Envelope, Event, RawEnvelope,
};
use serde_json::Value;

/// The golden files are compiled in: the test cannot read a stale copy from another
/// checkout that shares the build cache, and editing one rebuilds the test.
macro_rules! golden {
    ($file:literal) => {
        ($file, include_str!(concat!("golden/", $file)))
    };
}

fn golden_round_trip<T: Event + std::fmt::Debug + PartialEq>((file, text): (&str, &str)) {
    let golden: Value = serde_json::from_str(text).expect("golden file is JSON");

    let raw = RawEnvelope::from_slice(text.as_bytes()).expect("golden file is an envelope");
    let envelope: Envelope<T> = raw.decode().expect("golden payload decodes");
    assert_eq!(envelope.event_type, T::TYPE);
    assert!(envelope.schema_version <= T::SCHEMA_VERSION);

    let encoded = serde_json::to_value(&envelope).expect("envelope encodes");
    assert_eq!(encoded, golden, "{file} does not round-trip");
}

#[test]
fn report_received_round_trips() {
    golden_round_trip::<intake::ReportReceived>(golden!("report.received.json"));
}

#[test]
fn report_classified_round_trips() {
    golden_round_trip::<triage::ReportClassified>(golden!("report.classified.json"));
}

#[test]
fn alert_raised_round_trips() {
    golden_round_trip::<triage::AlertRaised>(golden!("alert.raised.json"));
}

#[test]
fn case_opened_round_trips() {
    golden_round_trip::<assessment::CaseOpened>(golden!("case.opened.json"));
}

#[test]
fn decision_recorded_round_trips() {
    golden_round_trip::<assessment::DecisionRecorded>(golden!("decision.recorded.json"));
}

#[test]
fn warning_drafted_round_trips() {
    golden_round_trip::<warning::WarningDrafted>(golden!("warning.drafted.json"));
}

#[test]
fn warning_published_round_trips() {
    golden_round_trip::<warning::WarningPublished>(golden!("warning.published.json"));
}

#[test]
fn alert_delivered_round_trips() {
    golden_round_trip::<notification::AlertDelivered>(golden!("alert.delivered.json"));
}

#[test]
fn station_report_overdue_round_trips() {
    golden_round_trip::<intake::StationReportOverdue>(golden!("station.report_overdue.json"));
}

#[test]
fn signal_events_round_trip() {
    golden_round_trip::<triage::SignalOpened>(golden!("signal.opened.json"));
    golden_round_trip::<triage::SignalUpdated>(golden!("signal.updated.json"));
    golden_round_trip::<triage::SignalEscalated>(golden!("signal.escalated.json"));
    golden_round_trip::<triage::SignalDismissed>(golden!("signal.dismissed.json"));
    golden_round_trip::<triage::CatalogueUpdated>(golden!("catalogue.updated.json"));
}

#[test]
fn case_events_round_trip() {
    golden_round_trip::<assessment::ExpertsAssigned>(golden!("case.experts_assigned.json"));
    golden_round_trip::<assessment::CaseAssessed>(golden!("case.assessed.json"));
    golden_round_trip::<assessment::CaseOverdue>(golden!("case.overdue.json"));
}

#[test]
fn warning_changes_round_trip() {
    golden_round_trip::<warning::WarningUpdated>(golden!("warning.updated.json"));
    golden_round_trip::<warning::WarningCancelled>(golden!("warning.cancelled.json"));
}

#[test]
fn acknowledgement_and_escalation_round_trip() {
    golden_round_trip::<notification::AlertAcknowledged>(golden!("alert.acknowledged.json"));
    golden_round_trip::<notification::AlertEscalated>(golden!("alert.escalated.json"));
}

#[test]
fn an_important_report_travels_in_the_important_lane() {
    let (_, text) = golden!("report.received.json");
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
    let (_, text) = golden!("alert.raised.json");
    let raw = RawEnvelope::from_slice(text.as_bytes()).expect("envelope");
    assert!(raw.decode::<intake::ReportReceived>().is_err());
}
