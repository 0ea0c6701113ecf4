//! A warning as an OASIS CAP 1.2 message (`schema/CAP-v1.2.xsd` is the official schema; the
//! tests validate every message generated against it).
//!
//! One warning is a chain of messages: version 1 is an `Alert`, each later version an
//! `Update` whose `references` name every earlier message, and a withdrawal a `Cancel` that
//! references them all. The current message is the last of the chain.

use chrono::{DateTime, FixedOffset, Offset as _, Utc};
use uuid::Uuid;

use super::warning::{district_label, type_label};

/// The `sender` of every message.
pub const SENDER: &str = "prism-warning-publication";
/// CAP 1.2's namespace.
pub const NAMESPACE: &str = "urn:oasis:names:tc:emergency:cap:1.2";

/// What a CAP message is made from.
#[derive(Debug, Clone)]
pub struct CapWarning {
    pub id: Uuid,
    pub warning_type: String,
    pub level: String,
    pub title_zh: String,
    pub summary_zh: String,
    pub advice_zh: String,
    pub title_en: Option<String>,
    pub summary_en: Option<String>,
    pub advice_en: Option<String>,
    pub districts: Vec<String>,
    pub effective_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// Every published version and when it went out, oldest first (never empty for a
    /// public warning).
    pub versions: Vec<(i32, DateTime<Utc>)>,
    /// When and why it was withdrawn, if it was.
    pub cancelled: Option<(DateTime<Utc>, String)>,
    /// The warning's page on the public site.
    pub web: Option<String>,
}

/// `msgType`, severity, urgency and certainty of a level.
struct Grading {
    severity: &'static str,
    urgency: &'static str,
    certainty: &'static str,
}

/// The level of PRISM's assessment, in CAP's terms: a serious risk is an extreme danger to
/// act on now; a low one a minor danger that may arise.
fn grading(level: &str) -> Grading {
    let (severity, urgency, certainty) = match level {
        "serious" => ("Extreme", "Immediate", "Observed"),
        "high" => ("Severe", "Expected", "Likely"),
        "medium" => ("Moderate", "Future", "Likely"),
        _ => ("Minor", "Future", "Possible"),
    };
    Grading {
        severity,
        urgency,
        certainty,
    }
}

/// CAP times: seconds and an explicit offset, in Beijing time (the schema forbids `Z` and
/// fractions).
pub fn cap_time(at: DateTime<Utc>) -> String {
    let beijing = FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix());
    at.with_timezone(&beijing)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The identifier of one message of a warning's chain.
pub fn identifier(id: Uuid, version: Option<i32>) -> String {
    match version {
        Some(v) => format!("prism-warning-{id}-v{v}"),
        None => format!("prism-warning-{id}-cancel"),
    }
}

/// The current message's identifier and `sent` time.
pub fn current(warning: &CapWarning) -> (String, DateTime<Utc>) {
    match (&warning.cancelled, warning.versions.last()) {
        (Some((at, _)), _) => (identifier(warning.id, None), *at),
        (None, Some((v, at))) => (identifier(warning.id, Some(*v)), *at),
        (None, None) => (identifier(warning.id, Some(0)), Utc::now()),
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn element(out: &mut String, indent: &str, name: &str, text: &str) {
    out.push_str(&format!("{indent}<{name}>{}</{name}>\n", escape(text)));
}

/// The warning's current CAP message.
pub fn render(warning: &CapWarning) -> String {
    let (identifier_now, sent) = current(warning);
    let (msg_type, earlier): (&str, &[(i32, DateTime<Utc>)]) = match &warning.cancelled {
        Some(_) => ("Cancel", &warning.versions),
        None if warning.versions.len() > 1 => {
            ("Update", &warning.versions[..warning.versions.len() - 1])
        }
        None => ("Alert", &[]),
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<alert xmlns=\"{NAMESPACE}\">\n"));
    element(&mut out, "  ", "identifier", &identifier_now);
    element(&mut out, "  ", "sender", SENDER);
    element(&mut out, "  ", "sent", &cap_time(sent));
    element(&mut out, "  ", "status", "Actual");
    element(&mut out, "  ", "msgType", msg_type);
    element(&mut out, "  ", "scope", "Public");
    if let Some((_, reason)) = &warning.cancelled {
        element(&mut out, "  ", "note", reason);
    }
    if !earlier.is_empty() {
        let references: Vec<String> = earlier
            .iter()
            .map(|(v, at)| {
                format!(
                    "{SENDER},{},{}",
                    identifier(warning.id, Some(*v)),
                    cap_time(*at)
                )
            })
            .collect();
        element(&mut out, "  ", "references", &references.join(" "));
    }
    let (type_zh, type_en) = type_label(&warning.warning_type);
    info(
        &mut out,
        warning,
        Language {
            tag: "zh-CN",
            event: type_zh,
            sender_name: "上海市产品质量安全风险监测",
            title: &warning.title_zh,
            summary: Some(&warning.summary_zh),
            advice: Some(&warning.advice_zh),
            english: false,
        },
    );
    if let Some(title_en) = &warning.title_en {
        info(
            &mut out,
            warning,
            Language {
                tag: "en-US",
                event: type_en,
                sender_name: "Shanghai product quality safety risk monitoring",
                title: title_en,
                summary: warning.summary_en.as_deref(),
                advice: warning.advice_en.as_deref(),
                english: true,
            },
        );
    }
    out.push_str("</alert>\n");
    out
}

struct Language<'a> {
    tag: &'a str,
    event: &'a str,
    sender_name: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    advice: Option<&'a str>,
    english: bool,
}

/// One `info` block, in the schema's element order.
fn info(out: &mut String, warning: &CapWarning, language: Language<'_>) {
    let grading = grading(&warning.level);
    out.push_str("  <info>\n");
    element(out, "    ", "language", language.tag);
    element(out, "    ", "category", "Safety");
    element(out, "    ", "event", language.event);
    let response = match (&warning.cancelled, warning.warning_type.as_str()) {
        (Some(_), _) => "AllClear",
        (None, "consumer_tip" | "spot_check") => "Monitor",
        (None, _) => "Avoid",
    };
    element(out, "    ", "responseType", response);
    element(out, "    ", "urgency", grading.urgency);
    element(out, "    ", "severity", grading.severity);
    element(out, "    ", "certainty", grading.certainty);
    element(
        out,
        "    ",
        "audience",
        if language.english { "Public" } else { "公众" },
    );
    if let Some(at) = warning.effective_at {
        element(out, "    ", "effective", &cap_time(at));
    }
    if let Some(at) = warning.expires_at {
        element(out, "    ", "expires", &cap_time(at));
    }
    element(out, "    ", "senderName", language.sender_name);
    element(out, "    ", "headline", language.title);
    if let Some(summary) = language.summary {
        element(out, "    ", "description", summary);
    }
    if let Some(advice) = language.advice {
        element(out, "    ", "instruction", advice);
    }
    if let Some(web) = &warning.web {
        element(out, "    ", "web", web);
    }
    out.push_str("    <area>\n");
    let names: Vec<String> = warning
        .districts
        .iter()
        .map(|code| {
            let (zh, en) = district_label(code);
            if language.english {
                en
            } else {
                zh
            }
        })
        .collect();
    element(
        out,
        "      ",
        "areaDesc",
        &names.join(if language.english { ", " } else { "、" }),
    );
    for code in &warning.districts {
        out.push_str("      <geocode>\n");
        element(out, "        ", "valueName", "GB/T 2260");
        element(out, "        ", "value", code);
        out.push_str("      </geocode>\n");
    }
    out.push_str("    </area>\n");
    out.push_str("  </info>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warning() -> CapWarning {
        let at = DateTime::parse_from_rfc3339("2026-11-21T08:00:00.123Z")
            .expect("time")
            .with_timezone(&Utc);
        CapWarning {
            id: Uuid::nil(),
            warning_type: "recall".to_owned(),
            level: "serious".to_owned(),
            title_zh: "召回 <b>电池</b> & 充电器".to_owned(),
            summary_zh: "s".to_owned(),
            advice_zh: "a".to_owned(),
            title_en: None,
            summary_en: None,
            advice_en: None,
            districts: vec!["310115".to_owned()],
            effective_at: None,
            expires_at: None,
            versions: vec![(1, at)],
            cancelled: None,
            web: None,
        }
    }

    #[test]
    fn times_are_beijing_time_without_fractions() {
        let at = DateTime::parse_from_rfc3339("2026-11-21T20:30:05.999Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(cap_time(at), "2026-11-22T04:30:05+08:00");
    }

    #[test]
    fn text_is_escaped_and_a_first_version_is_an_alert() {
        let xml = render(&warning());
        assert!(xml.contains("<headline>召回 &lt;b&gt;电池&lt;/b&gt; &amp; 充电器</headline>"));
        assert!(xml.contains("<msgType>Alert</msgType>"));
        assert!(xml.contains("<severity>Extreme</severity>"));
        assert!(!xml.contains("<references>"));
        assert_eq!(
            xml.matches("<info>").count(),
            1,
            "no English text, no English block"
        );
    }
}
