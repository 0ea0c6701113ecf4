//! Value types shared by several events.

use serde::{Deserialize, Serialize};

/// The three reporting cadences of seed 003.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// 日常风险信息每月报: collected continuously, due monthly.
    Routine,
    /// 重要风险信息及时报: deaths, injuries or serious danger, reported at once.
    Important,
    /// 综合风险信息年终报: the year-end analysis report.
    Annual,
}

impl ReportKind {
    /// The wire name, as used in JSON and in query filters.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Routine => "routine",
            Self::Important => "important",
            Self::Annual => "annual",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "routine" => Some(Self::Routine),
            "important" => Some(Self::Important),
            "annual" => Some(Self::Annual),
            _ => None,
        }
    }
}

/// Which lane an event travels in. Important alerts have a lane of their own, so that no
/// backlog of routine traffic can delay them: their own subjects, their own consumers, and
/// first place in every outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    Important,
    Routine,
}

impl Lane {
    /// The subject token of the lane.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Important => "important",
            Self::Routine => "routine",
        }
    }
}

/// Risk level of the EU RAPEX method, lowest first so that `Ord` gives "at least".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    Serious,
}

impl RiskLevel {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Serious => "serious",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Self::Low),
            "medium" => Some(Self::Medium),
            "high" => Some(Self::High),
            "serious" => Some(Self::Serious),
            _ => None,
        }
    }
}

/// People harmed by the event a report describes (人员伤亡).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Casualties {
    pub deaths: u32,
    pub injuries: u32,
}

impl Casualties {
    /// Whether anybody was hurt.
    pub fn any(&self) -> bool {
        self.deaths > 0 || self.injuries > 0
    }
}
