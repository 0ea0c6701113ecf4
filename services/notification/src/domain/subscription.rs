//! Subscriptions: what a regulator wants to hear about, and over which channel.

use prism_contracts::RiskLevel;
use prism_platform::http::{FieldError, Text};
use serde::{Deserialize, Serialize};

use super::{district, feed::FeedItem};

/// Event types a subscription can ask for.
pub const EVENT_TYPES: [&str; 4] = [
    "important_alert",
    "warning_published",
    "overdue_station_report",
    "case_overdue",
];

/// A regulator's request to subscribe.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscription {
    pub channel: Channel,
    #[serde(default)]
    pub filters: Filters,
    /// Admin only: subscribe a district bureau (its `sub` and districts) instead of oneself.
    #[serde(default)]
    pub bureau: Option<Bureau>,
}

/// A district bureau an admin subscribes.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Bureau {
    /// The bureau's regulator account (`sub` of its tokens).
    pub subscriber: String,
    /// The districts it is responsible for (GB/T 2260).
    pub districts: Vec<String>,
}

/// Where deliveries go.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Channel {
    /// The regulator's Server-Sent Events stream.
    Stream,
    /// A POST signed with HMAC-SHA256 of the body.
    Webhook { url: String, secret: String },
    /// An email over SMTP; with `digest`, routine event types wait for the daily digest
    /// (important alerts never wait).
    Email {
        address: String,
        #[serde(default)]
        digest: bool,
    },
}

impl Channel {
    /// The channel's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Stream => "stream",
            Self::Webhook { .. } => "webhook",
            Self::Email { .. } => "email",
        }
    }
}

/// What a subscription wants; an empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub districts: Vec<String>,
    /// `low`, `medium`, `high` or `serious`.
    #[serde(default)]
    pub min_level: Option<String>,
    #[serde(default)]
    pub event_types: Vec<String>,
}

impl NewSubscription {
    /// Every problem, each naming its field.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let f = &self.filters;
        for (i, code) in f.districts.iter().enumerate() {
            if !district::is_known(code) {
                errors.push(FieldError::new(
                    format!("filters.districts[{i}]"),
                    Text::owned(
                        format!("未知的行政区划代码：{code}"),
                        format!("unknown district code: {code}"),
                    ),
                ));
            }
        }
        for (i, category) in f.categories.iter().enumerate() {
            let ok = (1..=64).contains(&category.len())
                && category
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit());
            if !ok {
                errors.push(FieldError::new(
                    format!("filters.categories[{i}]"),
                    Text::new(
                        "类别须为目录中的类别代码",
                        "must be a catalogue category code",
                    ),
                ));
            }
        }
        if f.min_level
            .as_deref()
            .is_some_and(|l| RiskLevel::parse(l).is_none())
        {
            errors.push(FieldError::new(
                "filters.min_level",
                Text::new(
                    "min_level 须为 low、medium、high 或 serious",
                    "min_level must be low, medium, high or serious",
                ),
            ));
        }
        for (i, kind) in f.event_types.iter().enumerate() {
            if !EVENT_TYPES.contains(&kind.as_str()) {
                errors.push(FieldError::new(
                    format!("filters.event_types[{i}]"),
                    Text::owned(
                        format!("事件类型须为以下之一：{}", EVENT_TYPES.join("、")),
                        format!("event type must be one of: {}", EVENT_TYPES.join(", ")),
                    ),
                ));
            }
        }
        match &self.channel {
            Channel::Stream => {}
            Channel::Webhook { url, secret } => {
                let parsed = reqwest::Url::parse(url).ok();
                let ok = parsed.as_ref().is_some_and(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && u.host_str().is_some()
                        && u.username().is_empty()
                        && u.password().is_none()
                }) && url.len() <= 2048;
                if !ok {
                    errors.push(FieldError::new(
                        "channel.url",
                        Text::new("须为 http(s) 网址", "must be an http(s) URL"),
                    ));
                }
                if secret.len() < 16 {
                    errors.push(FieldError::new(
                        "channel.secret",
                        Text::new(
                            "密钥至少 16 个字符",
                            "secret must be at least 16 characters",
                        ),
                    ));
                }
            }
            Channel::Email { address, .. } => {
                let ok = address.len() <= 254
                    && address.split_once('@').is_some_and(|(local, domain)| {
                        !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
                    });
                if !ok {
                    errors.push(FieldError::new(
                        "channel.address",
                        Text::new("邮箱地址无效", "not a valid email address"),
                    ));
                }
            }
        }
        if let Some(bureau) = &self.bureau {
            if bureau.subscriber.trim().is_empty() || bureau.subscriber.len() > 200 {
                errors.push(FieldError::new(
                    "bureau.subscriber",
                    Text::new("须为区局的账号", "must be the bureau's account"),
                ));
            }
            if bureau.districts.is_empty() {
                errors.push(FieldError::new(
                    "bureau.districts",
                    Text::new("至少一个行政区划", "at least one district"),
                ));
            }
            for (i, code) in bureau.districts.iter().enumerate() {
                if !district::is_known(code) {
                    errors.push(FieldError::new(
                        format!("bureau.districts[{i}]"),
                        Text::owned(
                            format!("未知的行政区划代码：{code}"),
                            format!("unknown district code: {code}"),
                        ),
                    ));
                }
            }
        }
        errors
    }
}

impl Filters {
    /// Whether `item` passes these filters.
    pub fn matches(&self, item: &FeedItem) -> bool {
        let type_ok =
            self.event_types.is_empty() || self.event_types.iter().any(|t| t == item.event_type);
        let category_ok = self.categories.is_empty()
            || item
                .category
                .as_ref()
                .is_some_and(|c| self.categories.contains(c));
        let district_ok =
            self.districts.is_empty() || item.districts.iter().any(|d| self.districts.contains(d));
        // Overdue notices carry no level: a minimum level does not apply to them.
        let level_ok = match (
            self.min_level.as_deref().and_then(RiskLevel::parse),
            item.level,
        ) {
            (Some(min), Some(level)) => level >= min,
            _ => true,
        };
        type_ok && category_ok && district_ok && level_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn item(level: RiskLevel, district: &str) -> FeedItem {
        FeedItem {
            id: Uuid::now_v7(),
            event: "alert",
            event_type: "important_alert",
            level: Some(level),
            category: Some("children_products".into()),
            districts: vec![district.into()],
            data: serde_json::json!({}),
        }
    }

    #[test]
    fn empty_filters_match_everything() {
        assert!(Filters::default().matches(&item(RiskLevel::Low, "310115")));
    }

    #[test]
    fn a_minimum_level_and_districts_narrow_the_match() {
        let filters = Filters {
            districts: vec!["310115".into()],
            min_level: Some("high".into()),
            ..Filters::default()
        };
        assert!(filters.matches(&item(RiskLevel::Serious, "310115")));
        assert!(!filters.matches(&item(RiskLevel::Medium, "310115")));
        assert!(!filters.matches(&item(RiskLevel::Serious, "310104")));
    }
}
