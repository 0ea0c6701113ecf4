//! `GET /v1/warnings`: anyone, without logging in, reads published warnings: the list
//! (filters, search, cursor), one warning, and its versions. Answers carry an `ETag` and go
//! through [`super::cache`].

use axum::{
    extract::{Path, State},
    http::Uri,
    response::Response,
    routing::get,
    Router,
};
use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use prism_contracts::RiskLevel;
use prism_platform::http::{ApiError, ApiQuery, FieldError, Page, PageQuery, Text};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    cache::{api_key, IfNoneMatch},
    views::{PublicWarning, VersionView},
    AppState,
};
use crate::{
    domain::{
        district, search,
        warning::{is_category_code, Status, TYPES},
    },
    store::{
        entities::warning,
        versions,
        warnings::{self, PublicFilter, PublishedCursor},
    },
};

/// The longest query string the public list reads, in bytes.
pub const QUERY_STRING_MAX: usize = 1_024;
const JSON: &str = "application/json";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/warnings", get(list))
        .route("/v1/warnings/{id}", get(show))
        .route("/v1/warnings/{id}/versions", get(history))
}

/// Whether the public may see `row`: published, or withdrawn after it was published.
pub fn is_public(row: &warning::Model) -> bool {
    row.status == Status::Published.as_str()
        || (row.status == Status::Cancelled.as_str() && row.published_at.is_some())
}

/// Filters of the public list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Search text (Chinese or English, at most 100 characters): every word must occur.
    pub q: Option<String>,
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
    /// Checks every filter and returns the store's form of them.
    pub fn filter(self) -> Result<PublicFilter, ApiError> {
        self.validate()?;
        let terms = match &self.q {
            None => Vec::new(),
            Some(q) => search::terms(q).ok_or_else(|| {
                ApiError::field(
                    "q",
                    Text::owned(
                        format!("q 不能超过 {} 个字符", search::QUERY_MAX),
                        format!("q must be at most {} characters", search::QUERY_MAX),
                    ),
                )
            })?,
        };
        Ok(PublicFilter {
            category: self.category,
            district: self.district,
            level: self.level,
            warning_type: self.warning_type,
            from: self.from.map(|t| t.with_timezone(&Utc)),
            to: self.to.map(|t| t.with_timezone(&Utc)),
            terms,
        })
    }

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
pub fn cursor_of(row: &warning::Model) -> String {
    let at = row.published_at.unwrap_or(row.updated_at);
    format!(
        "{}|{}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true),
        row.id
    )
}

pub fn parse_cursor(key: &str) -> Option<PublishedCursor> {
    let (at, id) = key.split_once('|')?;
    Some(PublishedCursor {
        published_at: DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
        id: Uuid::parse_str(id).ok()?,
    })
}

/// Published warnings, newest first (anyone).
#[utoipa::path(get, path = "/v1/warnings", params(ListQuery),
    responses((status = 200, body = Page<PublicWarning>), (status = 304), (status = 400), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    uri: Uri,
    IfNoneMatch(if_none_match): IfNoneMatch,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    if uri.query().map_or(0, str::len) > QUERY_STRING_MAX {
        return Err(ApiError::BadRequest {
            code: "query_too_long",
            message: Text::new("查询参数过长", "the query string is too long"),
            field: None,
        });
    }
    let key = api_key(&uri).to_owned();
    let entry = state
        .cache
        .get_or_render(key, || async {
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
            let filter = query.filter()?;
            let rows = warnings::list_published(&state.db, &filter, after, limit).await?;
            let page = Page::from_overfetch(rows, limit, cursor_of);
            let body = serde_json::to_vec(&Page {
                items: page
                    .items
                    .into_iter()
                    .map(PublicWarning::from)
                    .collect::<Vec<_>>(),
                next_cursor: page.next_cursor,
            })
            .map_err(anyhow::Error::from)?;
            Ok::<_, ApiError>((JSON, body))
        })
        .await?;
    Ok(entry.respond(if_none_match.as_ref()))
}

/// One published warning, current version (anyone). A draft, or a warning cancelled before
/// it was ever published, is 404: the public may not learn that it exists.
#[utoipa::path(get, path = "/v1/warnings/{id}",
    responses((status = 200, body = PublicWarning), (status = 304), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    uri: Uri,
    Path(id): Path<Uuid>,
    IfNoneMatch(if_none_match): IfNoneMatch,
) -> Result<Response, ApiError> {
    let key = api_key(&uri).to_owned();
    let entry = state
        .cache
        .get_or_render(key, || async {
            let row = public_row(&state, id).await?;
            let body =
                serde_json::to_vec(&PublicWarning::from(row)).map_err(anyhow::Error::from)?;
            Ok::<_, ApiError>((JSON, body))
        })
        .await?;
    Ok(entry.respond(if_none_match.as_ref()))
}

/// A public warning, or 404.
pub async fn public_row(state: &AppState, id: Uuid) -> Result<warning::Model, ApiError> {
    warnings::find(&state.db, id)
        .await?
        .filter(is_public)
        .ok_or(ApiError::NotFound)
}

/// Every published version of a warning, oldest first (anyone): what changed, when, why.
#[utoipa::path(get, path = "/v1/warnings/{id}/versions",
    responses((status = 200, body = Vec<VersionView>), (status = 404)))]
pub async fn history(
    State(state): State<AppState>,
    uri: Uri,
    Path(id): Path<Uuid>,
    IfNoneMatch(if_none_match): IfNoneMatch,
) -> Result<Response, ApiError> {
    let key = api_key(&uri).to_owned();
    let entry = state
        .cache
        .get_or_render(key, || async {
            public_row(&state, id).await?;
            let versions: Vec<VersionView> = versions::of(&state.db, id)
                .await?
                .into_iter()
                .map(VersionView::from)
                .collect();
            let body = serde_json::to_vec(&versions).map_err(anyhow::Error::from)?;
            Ok::<_, ApiError>((JSON, body))
        })
        .await?;
    Ok(entry.respond(if_none_match.as_ref()))
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
