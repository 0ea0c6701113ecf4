//! `GET /v1/warnings`: anyone, without logging in, reads published warnings.

use axum::{
    extract::{Path, State},
    routing::get,
    Json, Router,
};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use prism_contracts::RiskLevel;
use prism_platform::http::{ApiError, ApiQuery, FieldError, Page, PageQuery, Text};
use serde::Deserialize;
use uuid::Uuid;

use super::{views::PublicWarning, AppState};
use crate::{
    domain::{
        district,
        warning::{is_category_code, Status, TYPES},
    },
    store::{
        entities::warning,
        warnings::{self, PublicFilter, PublishedCursor},
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/warnings", get(list))
        .route("/v1/warnings/{id}", get(show))
}

/// Filters of the public list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Catalogue category code.
    pub category: Option<String>,
    /// GB/T 2260 code the warning involves.
    pub district: Option<String>,
    /// `low`, `medium`, `high` or `serious`.
    pub level: Option<String>,
    /// `risk_warning`, `recall`, `spot_check` or `consumer_tip`.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub warning_type: Option<String>,
    /// Published at or after.
    pub from: Option<DateTime<FixedOffset>>,
    /// Published before.
    pub to: Option<DateTime<FixedOffset>>,
    /// Items per page, 1 to 100.
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl ListQuery {
    fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if self
            .category
            .as_deref()
            .is_some_and(|c| !is_category_code(c))
        {
            errors.push(FieldError::new(
                "category",
                Text::new("category 无效", "category is not valid"),
            ));
        }
        if self
            .district
            .as_deref()
            .is_some_and(|d| !district::is_known(d))
        {
            errors.push(FieldError::new(
                "district",
                Text::new("未知的行政区划代码", "unknown district code"),
            ));
        }
        if self
            .level
            .as_deref()
            .is_some_and(|l| RiskLevel::parse(l).is_none())
        {
            errors.push(FieldError::new(
                "level",
                Text::new(
                    "level 须为 low、medium、high 或 serious",
                    "level must be low, medium, high or serious",
                ),
            ));
        }
        if self
            .warning_type
            .as_deref()
            .is_some_and(|t| !TYPES.contains(&t))
        {
            errors.push(FieldError::new(
                "type",
                Text::owned(
                    format!("type 须为以下之一：{}", TYPES.join("、")),
                    format!("type must be one of: {}", TYPES.join(", ")),
                ),
            ));
        }
        if let (Some(from), Some(to)) = (self.from, self.to) {
            if from > to {
                errors.push(FieldError::new(
                    "to",
                    Text::new("to 须晚于 from", "to must be after from"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// The cursor of the public list: where the last item of a page was published, and its id
/// to break ties between warnings published in the same microsecond.
fn cursor_of(row: &warning::Model) -> String {
    let at = row.published_at.unwrap_or(row.updated_at);
    format!(
        "{}|{}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true),
        row.id
    )
}

fn parse_cursor(key: &str) -> Option<PublishedCursor> {
    let (at, id) = key.split_once('|')?;
    Some(PublishedCursor {
        published_at: DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id: Uuid::parse_str(id).ok()?,
    })
}

/// Published warnings, newest first (anyone).
#[utoipa::path(get, path = "/v1/warnings", params(ListQuery),
    responses((status = 200, body = Page<PublicWarning>), (status = 400), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<PublicWarning>>, ApiError> {
    query.validate()?;
    let page = PageQuery {
        limit: query.limit,
        cursor: query.cursor.clone(),
    };
    let limit = page.limit()?;
    let after = match page.after()? {
        None => None,
        Some(key) => Some(parse_cursor(&key).ok_or_else(|| {
            ApiError::field("cursor", Text::new("cursor 无效", "cursor is not valid"))
        })?),
    };
    let filter = PublicFilter {
        category: query.category,
        district: query.district,
        level: query.level,
        warning_type: query.warning_type,
        from: query.from.map(|t| t.with_timezone(&Utc)),
        to: query.to.map(|t| t.with_timezone(&Utc)),
    };
    let rows = warnings::list_published(&state.db, &filter, after, limit).await?;
    let page = Page::from_overfetch(rows, limit, cursor_of);
    Ok(Json(Page {
        items: page.items.into_iter().map(PublicWarning::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One published warning (anyone). A draft, or a warning cancelled before it was ever
/// published, is 404: the public may not learn that it exists.
#[utoipa::path(get, path = "/v1/warnings/{id}",
    responses((status = 200, body = PublicWarning), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<PublicWarning>, ApiError> {
    let row = warnings::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let public = row.status == Status::Published.as_str()
        || (row.status == Status::Cancelled.as_str() && row.published_at.is_some());
    if public {
        Ok(Json(row.into()))
    } else {
        Err(ApiError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_to_the_same_position() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T08:00:00.123456Z")
            .expect("time")
            .with_timezone(&Utc);
        let id = Uuid::now_v7();
        let key = format!("{}|{id}", at.to_rfc3339_opts(SecondsFormat::Micros, true));
        assert_eq!(
            parse_cursor(&key),
            Some(PublishedCursor {
                published_at: at,
                id
            })
        );
        assert_eq!(parse_cursor("nonsense"), None);
    }
}
