//! NATS subjects and streams. Subjects are versioned (`prism.v1.…`); each service owns the
//! streams that capture everything under its prefix, so a service's events outlive it.
//!
//! The important lane has streams of its own (`PRISM_INTAKE_IMPORTANT`,
//! `PRISM_TRIAGE_ALERTS`). With `sync_interval: always` a stream stores its messages one
//! at a time, each written and synced before the next: an alert published into the stream
//! that was taking triage's flood of `ReportClassified` waited for its acknowledgement behind
//! them, 50 to 130 ms while PostgreSQL was syncing its own log on the same disk (the
//! `alert_latency` example, 100,000 queued).

/// A stream a service owns, and the subjects it captures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamSpec {
    /// JetStream stream name.
    pub name: &'static str,
    /// Subject filters the stream captures; no two streams' filters overlap.
    pub subjects: &'static [&'static str],
}

impl StreamSpec {
    /// Whether this stream captures `subject` (a literal subject, no wildcards).
    pub fn captures(&self, subject: &str) -> bool {
        self.subjects.iter().any(|filter| matches(filter, subject))
    }
}

/// NATS's subject matching: `*` is one token, `>` one or more at the end.
fn matches(filter: &str, subject: &str) -> bool {
    let mut tokens = subject.split('.');
    for wanted in filter.split('.') {
        match (wanted, tokens.next()) {
            (">", Some(_)) => return true,
            ("*", Some(_)) => {}
            (wanted, Some(token)) if wanted == token => {}
            _ => return false,
        }
    }
    tokens.next().is_none()
}

/// The stream that captures `subject`, if any does.
pub fn stream_of(subject: &str) -> Option<StreamSpec> {
    ALL_STREAMS.into_iter().find(|s| s.captures(subject))
}

/// Every stream PRISM uses, including the dead-letter stream. A stream narrowed to make room
/// for another comes before it, so that updating an older deployment never overlaps two.
pub const ALL_STREAMS: [StreamSpec; 8] = [
    v1::INTAKE,
    v1::INTAKE_IMPORTANT,
    v1::TRIAGE,
    v1::TRIAGE_ALERTS,
    v1::ASSESSMENT,
    v1::WARNING_PUBLICATION,
    v1::NOTIFICATION,
    DEAD_LETTER,
];

/// Where poison messages go: `prism.dlq.<consumer>.<original subject>`.
pub const DEAD_LETTER: StreamSpec = StreamSpec {
    name: "PRISM_DEAD_LETTER",
    subjects: &["prism.dlq.>"],
};

/// The dead-letter subject for a message a consumer gave up on.
pub fn dead_letter(consumer: &str, original_subject: &str) -> String {
    format!("prism.dlq.{consumer}.{original_subject}")
}

/// Version 1 of the subjects.
pub mod v1 {
    use super::StreamSpec;
    use crate::Lane;

    /// Intake's routine reports and station events.
    pub const INTAKE: StreamSpec = StreamSpec {
        name: "PRISM_INTAKE",
        subjects: &[
            "prism.v1.intake.report.received.routine",
            "prism.v1.intake.station.>",
        ],
    };
    /// Intake's important reports: the important lane.
    pub const INTAKE_IMPORTANT: StreamSpec = StreamSpec {
        name: "PRISM_INTAKE_IMPORTANT",
        subjects: &["prism.v1.intake.report.received.important"],
    };
    /// Triage's classifications, signals and catalogue.
    pub const TRIAGE: StreamSpec = StreamSpec {
        name: "PRISM_TRIAGE",
        subjects: &[
            "prism.v1.triage.report.>",
            "prism.v1.triage.signal.>",
            "prism.v1.triage.catalogue.>",
        ],
    };
    /// Triage's alerts: the important lane.
    pub const TRIAGE_ALERTS: StreamSpec = StreamSpec {
        name: "PRISM_TRIAGE_ALERTS",
        subjects: &["prism.v1.triage.alert.>"],
    };
    pub const ASSESSMENT: StreamSpec = StreamSpec {
        name: "PRISM_ASSESSMENT",
        subjects: &["prism.v1.assessment.>"],
    };
    pub const WARNING_PUBLICATION: StreamSpec = StreamSpec {
        name: "PRISM_WARNING_PUBLICATION",
        subjects: &["prism.v1.warning.>"],
    };
    pub const NOTIFICATION: StreamSpec = StreamSpec {
        name: "PRISM_NOTIFICATION",
        subjects: &["prism.v1.notification.>"],
    };

    /// A report reached intake; the lane follows the report's kind.
    pub fn report_received(lane: Lane) -> String {
        format!("prism.v1.intake.report.received.{}", lane.as_str())
    }
    /// The important lane's streams: consumers of these write ahead of routine ones.
    pub const IMPORTANT_LANE: [StreamSpec; 2] = [INTAKE_IMPORTANT, TRIAGE_ALERTS];

    /// The stream of a lane's received reports.
    pub const fn reports_stream(lane: Lane) -> StreamSpec {
        match lane {
            Lane::Important => INTAKE_IMPORTANT,
            Lane::Routine => INTAKE,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Lane;

    /// Every subject PRISM publishes, and the stream it must land in.
    fn published() -> Vec<(String, StreamSpec)> {
        use v1::*;
        let important = report_received(Lane::Important);
        let routine = report_received(Lane::Routine);
        let dead = dead_letter("triage-signals", ALERT_RAISED);
        let streams: [(StreamSpec, &[&str]); 8] = [
            (INTAKE_IMPORTANT, &[&important]),
            (INTAKE, &[&routine, STATION_REPORT_OVERDUE]),
            (TRIAGE_ALERTS, &[ALERT_RAISED]),
            (
                TRIAGE,
                &[
                    REPORT_CLASSIFIED,
                    SIGNAL_OPENED,
                    SIGNAL_UPDATED,
                    SIGNAL_ESCALATED,
                    SIGNAL_DISMISSED,
                    CATALOGUE_UPDATED,
                ],
            ),
            (
                ASSESSMENT,
                &[
                    CASE_OPENED,
                    DECISION_RECORDED,
                    EXPERTS_ASSIGNED,
                    CASE_ASSESSED,
                    CASE_OVERDUE,
                ],
            ),
            (
                WARNING_PUBLICATION,
                &[
                    WARNING_DRAFTED,
                    WARNING_PUBLISHED,
                    WARNING_UPDATED,
                    WARNING_CANCELLED,
                ],
            ),
            (
                NOTIFICATION,
                &[ALERT_DELIVERED, ALERT_ACKNOWLEDGED, ALERT_ESCALATED],
            ),
            (DEAD_LETTER, &[&dead]),
        ];
        streams
            .into_iter()
            .flat_map(|(stream, subjects)| subjects.iter().map(move |s| ((*s).to_owned(), stream)))
            .collect()
    }

    #[test]
    fn every_subject_lands_in_exactly_its_own_stream() {
        for (subject, stream) in published() {
            let capturing: Vec<_> = ALL_STREAMS
                .iter()
                .filter(|s| s.captures(&subject))
                .map(|s| s.name)
                .collect();
            assert_eq!(capturing, [stream.name], "{subject}");
            assert_eq!(stream_of(&subject), Some(stream));
        }
    }

    #[test]
    fn the_lanes_have_streams_of_their_own() {
        assert_eq!(v1::reports_stream(Lane::Important), v1::INTAKE_IMPORTANT);
        assert_eq!(v1::reports_stream(Lane::Routine), v1::INTAKE);
        assert!(v1::INTAKE_IMPORTANT.captures(&v1::report_received(Lane::Important)));
        assert!(!v1::INTAKE.captures(&v1::report_received(Lane::Important)));
        assert!(!v1::TRIAGE.captures(v1::ALERT_RAISED));
        assert_eq!(
            v1::IMPORTANT_LANE.map(|s| s.name),
            [v1::INTAKE_IMPORTANT.name, v1::TRIAGE_ALERTS.name]
        );
    }

    #[test]
    fn wildcards_match_as_nats_does() {
        assert!(matches("a.*.c", "a.b.c"));
        assert!(!matches("a.*", "a.b.c"));
        assert!(matches("a.>", "a.b.c"));
        assert!(!matches("a.>", "a"));
        assert!(!matches("a.b", "a.b.c"));
        assert!(!matches("a.b.c", "a.b"));
    }
}
