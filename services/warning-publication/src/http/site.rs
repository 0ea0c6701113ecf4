//! The public site: `GET /` (the list, with filters and search) and `GET /warnings/{id}`,
//! rendered on the server from templates embedded in the binary (minijinja escapes every
//! value, so a warning's text with markup shows as text). Chinese by default; English with
//! `?lang=en` or when `Accept-Language` prefers it.

use std::sync::Arc;

use axum::{
    extract::{Path, RawQuery, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use minijinja::{context, Environment};
use prism_platform::http::{problem::Language, ApiError, Page, PageQuery};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use super::presentation::{labels, language};
use super::{
    presentation::{shown, Shown},
    warnings::{cursor_of, parse_cursor, public_row, ListQuery},
    AppState,
};
use crate::{
    domain::{
        district,
        warning::{district_label, level_label, type_label, TYPES},
    },
    store::warnings,
};

const HTML: &str = "text/html; charset=utf-8";
const PAGE_SIZE: u64 = 20;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/warnings/{id}", get(show))
}

/// The templates, loaded once.
pub fn templates() -> Arc<Environment<'static>> {
    let mut env = Environment::new();
    for (name, source) in [
        ("base.html", include_str!("../../templates/base.html")),
        ("index.html", include_str!("../../templates/index.html")),
        ("warning.html", include_str!("../../templates/warning.html")),
        (
            "feedback.html",
            include_str!("../../templates/feedback.html"),
        ),
    ] {
        // The templates are part of the binary and covered by tests; a broken one is a
        // build defect, reported when rendering.
        if let Err(error) = env.add_template(name, source) {
            tracing::error!(%error, name, "template does not parse");
        }
    }
    Arc::new(env)
}

/// Renders `name`; a template error is a 500.
pub fn render(state: &AppState, name: &str, ctx: minijinja::Value) -> Result<Vec<u8>, ApiError> {
    let template = state
        .templates
        .get_template(name)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("template")))?;
    template
        .render(ctx)
        .map(String::into_bytes)
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("rendering")))
}

/// The site's list form: every field optional, an empty select meaning "all".
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SiteQuery {
    pub q: Option<String>,
    #[serde(rename = "type")]
    pub warning_type: Option<String>,
    pub level: Option<String>,
    pub district: Option<String>,
    pub cursor: Option<String>,
    pub lang: Option<String>,
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The home page: published warnings, newest first, with filters and search.
pub async fn index(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let raw = raw.unwrap_or_default();
    let query: SiteQuery = serde_urlencoded_lenient(&raw);
    let language = language(query.lang.as_deref(), &headers);
    let key = format!("site/{language:?}/?{raw}");
    if raw.len() <= super::warnings::QUERY_STRING_MAX {
        if let Some(hit) = state.cache.get(&key) {
            return Ok(hit.respond(headers.get(header::IF_NONE_MATCH)));
        }
    }
    let t = labels(language);
    let en = language == Language::En;
    let list = ListQuery {
        q: non_empty(&query.q),
        category: None,
        district: non_empty(&query.district),
        level: non_empty(&query.level),
        warning_type: non_empty(&query.warning_type),
        from: None,
        to: None,
        limit: None,
        cursor: None,
    };
    let filter = if raw.len() > super::warnings::QUERY_STRING_MAX {
        Err(ApiError::BadRequest {
            code: "query_too_long",
            message: prism_platform::http::Text::new(
                "查询参数过长",
                "the query string is too long",
            ),
            field: None,
        })
    } else {
        list.filter()
    };
    let cursor = non_empty(&query.cursor).and_then(|c| {
        PageQuery {
            limit: None,
            cursor: Some(c),
        }
        .after()
        .ok()
        .flatten()
        .and_then(|k| parse_cursor(&k))
    });
    let (rows, error, status) = match filter {
        Ok(filter) => (
            warnings::list_published(&state.db, &filter, cursor, PAGE_SIZE).await?,
            None,
            StatusCode::OK,
        ),
        Err(_) => (
            Vec::new(),
            Some(if en {
                "Some filters are not valid."
            } else {
                "筛选条件无效。"
            }),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let page = Page::from_overfetch(rows, PAGE_SIZE, cursor_of);
    let next_href = page.next_cursor.as_ref().map(|cursor| {
        let mut next = SiteQuery {
            cursor: Some(cursor.clone()),
            lang: Some(t["lang"].as_str().unwrap_or("zh").to_owned()),
            ..query_clone(&query)
        };
        next.q = non_empty(&next.q);
        format!("/?{}", encode(&next))
    });
    let types: Vec<(&str, &str)> = TYPES
        .iter()
        .map(|t| {
            let (zh, en_label) = type_label(t);
            (*t, if en { en_label } else { zh })
        })
        .collect();
    let levels: Vec<(&str, &str)> = ["serious", "high", "medium", "low"]
        .iter()
        .map(|l| {
            let (zh, en_label) = level_label(l);
            (*l, if en { en_label } else { zh })
        })
        .collect();
    let districts: Vec<(String, String)> = std::iter::once(district::SHANGHAI_CITY)
        .chain(district::SHANGHAI.iter().map(|(code, _, _)| *code))
        .map(|code| {
            let (zh, en_name) = district_label(code);
            (code.to_owned(), if en { en_name } else { zh })
        })
        .collect();
    let shown: Vec<Shown> = page.items.iter().map(|row| shown(row, language)).collect();
    let switch = SiteQuery {
        lang: Some(if en { "zh" } else { "en" }.to_owned()),
        cursor: None,
        ..query_clone(&query)
    };
    let body = render(
        &state,
        "index.html",
        context! {
            t => t, query => query, types => types, levels => levels, districts => districts,
            warnings => shown, next_href => next_href, error => error,
            switch_href => format!("/?{}", encode(&switch)),
        },
    )?;
    if status != StatusCode::OK {
        return Ok((status, [(header::CONTENT_TYPE, HTML)], body).into_response());
    }
    Ok(state
        .cache
        .put(key, HTML, body)
        .respond(headers.get(header::IF_NONE_MATCH)))
}

fn query_clone(query: &SiteQuery) -> SiteQuery {
    SiteQuery {
        q: query.q.clone(),
        warning_type: query.warning_type.clone(),
        level: query.level.clone(),
        district: query.district.clone(),
        cursor: query.cursor.clone(),
        lang: query.lang.clone(),
    }
}

/// Reads the form's query string; anything unreadable counts as absent (the page still
/// renders, with every filter shown as it can be read).
fn serde_urlencoded_lenient(raw: &str) -> SiteQuery {
    axum::extract::Query::<SiteQuery>::try_from_uri(&format!("/?{raw}").parse().unwrap_or_default())
        .map(|q| q.0)
        .unwrap_or_default()
}

fn encode(query: &SiteQuery) -> String {
    let pairs = [
        ("q", &query.q),
        ("type", &query.warning_type),
        ("level", &query.level),
        ("district", &query.district),
        ("cursor", &query.cursor),
        ("lang", &query.lang),
    ];
    pairs
        .iter()
        .filter_map(|(k, v)| {
            v.as_ref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", percent(v)))
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One warning's page. A draft is 404, as in the API.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = serde_urlencoded_lenient(&raw.unwrap_or_default());
    let language = language(query.lang.as_deref(), &headers);
    let key = format!("site/{language:?}/w/{id}");
    let entry = state
        .cache
        .get_or_render(key, || async {
            let row = public_row(&state, id).await?;
            let t = labels(language);
            let other = if language == Language::En { "zh" } else { "en" };
            let body = render(
                &state,
                "warning.html",
                context! { t => t, w => shown(&row, language), switch_href => format!("/warnings/{id}?lang={other}") },
            )?;
            Ok::<_, ApiError>((HTML, body))
        })
        .await?;
    Ok(entry.respond(headers.get(header::IF_NONE_MATCH)))
}
