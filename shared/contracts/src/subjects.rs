//! NATS subjects and streams. Subjects are versioned (`prism.v1.…`); each service owns one
//! stream that captures everything under its prefix, so a service's events outlive it.

/// The stream a service owns, and the subjects it captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSpec {
    /// JetStream stream name.
    pub name: &'static str,
    /// Subject filter the stream captures.
    pub subjects: &'static str,
}

/// Every stream PRISM uses, including the dead-letter stream.
pub const ALL_STREAMS: [StreamSpec; 6] = [
    v1::INTAKE,
    v1::TRIAGE,
    v1::ASSESSMENT,
    v1::WARNING_PUBLICATION,
    v1::NOTIFICATION,
    DEAD_LETTER,
];

/// Where poison messages go: `prism.dlq.<consumer>.<original subject>`.
pub const DEAD_LETTER: StreamSpec = StreamSpec {
    name: "PRISM_DEAD_LETTER",
    subjects: "prism.dlq.>",
};

/// The dead-letter subject for a message a consumer gave up on.
pub fn dead_letter(consumer: &str, original_subject: &str) -> String {
    format!("prism.dlq.{consumer}.{original_subject}")
}

/// Version 1 of the subjects.
pub mod v1 {
    use super::StreamSpec;
    use crate::Lane;

    pub const INTAKE: StreamSpec = StreamSpec {
        name: "PRISM_INTAKE",
        subjects: "prism.v1.intake.>",
    };
    pub const TRIAGE: StreamSpec = StreamSpec {
        name: "PRISM_TRIAGE",
        subjects: "prism.v1.triage.>",
    };
    pub const ASSESSMENT: StreamSpec = StreamSpec {
        name: "PRISM_ASSESSMENT",
        subjects: "prism.v1.assessment.>",
    };
    pub const WARNING_PUBLICATION: StreamSpec = StreamSpec {
        name: "PRISM_WARNING_PUBLICATION",
        subjects: "prism.v1.warning.>",
    };
    pub const NOTIFICATION: StreamSpec = StreamSpec {
        name: "PRISM_NOTIFICATION",
        subjects: "prism.v1.notification.>",
    };

    /// A report reached intake; the lane follows the report's kind.
    pub fn report_received(lane: Lane) -> String {
        format!("prism.v1.intake.report.received.{}", lane.as_str())
    }
    /// Every received report, either lane.
    pub const REPORT_RECEIVED_ANY: &str = "prism.v1.intake.report.received.*";
    /// A station missed a monthly due date.
    pub const STATION_REPORT_OVERDUE: &str = "prism.v1.intake.station.report_overdue";

    /// Triage classified a report.
    pub const REPORT_CLASSIFIED: &str = "prism.v1.triage.report.classified";
    /// Triage raised an important-risk alert: the important lane's own subject.
    pub const ALERT_RAISED: &str = "prism.v1.triage.alert.raised";
    /// A signal (cluster of reports about one risk) was opened.
    pub const SIGNAL_OPENED: &str = "prism.v1.triage.signal.opened";
    /// A signal gained reports, was merged, split or reclassified.
    pub const SIGNAL_UPDATED: &str = "prism.v1.triage.signal.updated";
    /// A signal was escalated to assessment.
    pub const SIGNAL_ESCALATED: &str = "prism.v1.triage.signal.escalated";
    /// A signal was dismissed with a reason.
    pub const SIGNAL_DISMISSED: &str = "prism.v1.triage.signal.dismissed";
    /// The key-supervision catalogue changed version.
    pub const CATALOGUE_UPDATED: &str = "prism.v1.triage.catalogue.updated";

    /// Assessment opened a case.
    pub const CASE_OPENED: &str = "prism.v1.assessment.case.opened";
    /// A regulator recorded a decision on a case.
    pub const DECISION_RECORDED: &str = "prism.v1.assessment.decision.recorded";
    /// Experts were drawn for a case.
    pub const EXPERTS_ASSIGNED: &str = "prism.v1.assessment.case.experts_assigned";
    /// An expert scored a case (its level may have changed).
    pub const CASE_ASSESSED: &str = "prism.v1.assessment.case.assessed";
    /// An important case passed its deadline undecided.
    pub const CASE_OVERDUE: &str = "prism.v1.assessment.case.overdue";

    /// A warning draft was created.
    pub const WARNING_DRAFTED: &str = "prism.v1.warning.drafted";
    /// A warning was published to the public.
    pub const WARNING_PUBLISHED: &str = "prism.v1.warning.published";
    /// A published warning got a new version.
    pub const WARNING_UPDATED: &str = "prism.v1.warning.updated";
    /// A warning was withdrawn.
    pub const WARNING_CANCELLED: &str = "prism.v1.warning.cancelled";

    /// Notification delivered an alert to a subscriber.
    pub const ALERT_DELIVERED: &str = "prism.v1.notification.alert.delivered";
    /// A regulator acknowledged an alert.
    pub const ALERT_ACKNOWLEDGED: &str = "prism.v1.notification.alert.acknowledged";
    /// Nobody acknowledged an important alert in time; escalation contacts were told.
    pub const ALERT_ESCALATED: &str = "prism.v1.notification.alert.escalated";
}
