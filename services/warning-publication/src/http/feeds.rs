//! Feeds: `GET /feeds/warnings.atom` (Atom 1.0 of published warnings), `GET
//! /v1/warnings/{id}/cap` (the warning's current OASIS CAP 1.2 message) and `GET
//! /feeds/cap.atom` (an Atom index of the current CAP messages). All go through
//! [`super::cache`].

use atom_syndication::{Category, Content, Entry, Feed, Link, Person, Text as AtomText};
use axum::{
    extract::{Path, State},
    http::{header, HeaderMap},
    response::Response,
    routing::get,
    Router,
};
use chrono::{DateTime, FixedOffset, Utc};
use prism_platform::http::ApiError;
use uuid::Uuid;

use super::{warnings::public_row, AppState};
use crate::{
    domain::{
        cap::{self, CapWarning},
        warning::type_label,
    },
    store::{entities::warning, list_of, versions, warnings},
};

const ATOM: &str = "application/atom+xml; charset=utf-8";
const CAP: &str = "application/cap+xml; charset=utf-8";
const FEED_SIZE: u64 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/feeds/warnings.atom", get(warnings_feed))
        .route("/feeds/cap.atom", get(cap_feed))
        .route("/v1/warnings/{id}/cap", get(cap_message))
}

/// The site's address as the client named it, for the absolute links feeds need. Only a
/// plain host name and port are taken, so a forged header cannot inject markup.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '-'))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn fixed(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.fixed_offset()
}

fn link(href: String, rel: &str, mime: Option<&str>) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link.set_mime_type(mime.map(str::to_owned));
    link
}

/// An Atom document of `entries`, rendered, with its content type, as the cache keeps it.
fn feed(
    id: &str,
    title: &str,
    self_href: String,
    base: &str,
    entries: Vec<Entry>,
) -> (&'static str, Vec<u8>) {
    let mut feed = Feed::default();
    feed.set_id(id);
    feed.set_title(title);
    feed.set_lang(Some("zh-CN".to_owned()));
    let mut author = Person::default();
    author.set_name("上海市产品质量安全风险监测 PRISM");
    feed.set_authors(vec![author]);
    feed.set_links(vec![
        link(self_href, "self", Some("application/atom+xml")),
        link(format!("{base}/"), "alternate", Some("text/html")),
    ]);
    let updated = entries
        .iter()
        .map(|e| *e.updated())
        .max()
        .unwrap_or_else(|| fixed(DateTime::<Utc>::UNIX_EPOCH));
    feed.set_updated(updated);
    feed.set_entries(entries);
    (ATOM, feed.to_string().into_bytes())
}

/// Atom 1.0 of the latest published warnings (anyone).
#[utoipa::path(get, path = "/feeds/warnings.atom",
    responses((status = 200, content_type = "application/atom+xml", body = String), (status = 304)))]
pub async fn warnings_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = base_url(&headers);
    let key = format!("atom/{base}");
    let entry = state
        .cache
        .get_or_render(key, || async {
            let rows =
                warnings::list_published(&state.db, &Default::default(), None, FEED_SIZE).await?;
            let entries = rows
                .iter()
                .take(FEED_SIZE as usize)
                .map(|row| entry(row, &base))
                .collect();
            Ok::<_, ApiError>(feed(
                "urn:prism:warnings",
                "产品质量安全风险警示 Product safety warnings",
                format!("{base}/feeds/warnings.atom"),
                &base,
                entries,
            ))
        })
        .await?;
    Ok(entry.respond(headers.get(header::IF_NONE_MATCH)))
}

fn entry(row: &warning::Model, base: &str) -> Entry {
    let mut entry = Entry::default();
    entry.set_id(format!("urn:uuid:{}", row.id));
    entry.set_title(row.title_zh.clone());
    entry.set_updated(fixed(row.updated_at));
    entry.set_published(row.published_at.map(fixed));
    entry.set_links(vec![
        link(
            format!("{base}/warnings/{}", row.id),
            "alternate",
            Some("text/html"),
        ),
        link(
            format!("{base}/v1/warnings/{}/cap", row.id),
            "related",
            Some("application/cap+xml"),
        ),
    ]);
    let (type_zh, _) = type_label(&row.warning_type);
    let mut category = Category::default();
    category.set_term(row.warning_type.clone());
    category.set_label(Some(type_zh.to_owned()));
    entry.set_categories(vec![category]);
    entry.set_summary(Some(AtomText::plain(row.summary_zh.clone())));
    let mut content = Content::default();
    content.set_content_type(Some("text".to_owned()));
    content.set_value(Some(format!(
        "{}\n\n{}\n\n{}",
        row.title_zh, row.summary_zh, row.advice_zh
    )));
    entry.set_content(Some(content));
    entry
}

/// What the CAP message of `row` is made from.
async fn cap_warning(
    state: &AppState,
    row: &warning::Model,
    base: &str,
) -> Result<CapWarning, ApiError> {
    let versions = versions::of(&state.db, row.id)
        .await?
        .into_iter()
        .map(|v| (v.version, v.published_at))
        .collect();
    Ok(CapWarning {
        id: row.id,
        warning_type: row.warning_type.clone(),
        level: row.level.clone(),
        title_zh: row.title_zh.clone(),
        summary_zh: row.summary_zh.clone(),
        advice_zh: row.advice_zh.clone(),
        title_en: row.title_en.clone(),
        summary_en: row.summary_en.clone(),
        advice_en: row.advice_en.clone(),
        districts: list_of(&row.districts),
        effective_at: row.effective_at,
        expires_at: row.expires_at,
        versions,
        cancelled: row
            .cancelled_at
            .map(|at| (at, row.cancel_reason.clone().unwrap_or_default())),
        web: Some(format!("{base}/warnings/{}", row.id)),
    })
}

/// The warning's current CAP 1.2 message (anyone): `Alert`, `Update` or `Cancel`.
#[utoipa::path(get, path = "/v1/warnings/{id}/cap",
    responses((status = 200, content_type = "application/cap+xml", body = String), (status = 304), (status = 404)))]
pub async fn cap_message(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = base_url(&headers);
    let key = format!("cap/{base}/{id}");
    let entry = state
        .cache
        .get_or_render(key, || async {
            let row = public_row(&state, id).await?;
            let xml = cap::render(&cap_warning(&state, &row, &base).await?);
            Ok::<_, ApiError>((CAP, xml.into_bytes()))
        })
        .await?;
    Ok(entry.respond(headers.get(header::IF_NONE_MATCH)))
}

/// An Atom index of the current CAP messages of every public warning (anyone).
#[utoipa::path(get, path = "/feeds/cap.atom",
    responses((status = 200, content_type = "application/atom+xml", body = String), (status = 304)))]
pub async fn cap_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let base = base_url(&headers);
    let key = format!("cap-atom/{base}");
    let entry = state
        .cache
        .get_or_render(key, || async {
            let rows = warnings::list_public_recent(&state.db, FEED_SIZE).await?;
            let mut entries = Vec::with_capacity(rows.len());
            for row in &rows {
                let message = cap_warning(&state, row, &base).await?;
                let (identifier, sent) = cap::current(&message);
                let mut entry = Entry::default();
                entry.set_id(format!("urn:prism:cap:{identifier}"));
                entry.set_title(row.title_zh.clone());
                entry.set_updated(fixed(sent));
                entry.set_links(vec![link(
                    format!("{base}/v1/warnings/{}/cap", row.id),
                    "alternate",
                    Some("application/cap+xml"),
                )]);
                entry.set_summary(Some(AtomText::plain(row.summary_zh.clone())));
                entries.push(entry);
            }
            Ok::<_, ApiError>(feed(
                "urn:prism:cap",
                "产品质量安全风险警示 CAP 1.2",
                format!("{base}/feeds/cap.atom"),
                &base,
                entries,
            ))
        })
        .await?;
    Ok(entry.respond(headers.get(header::IF_NONE_MATCH)))
}
