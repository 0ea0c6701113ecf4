//! Public responses: `ETag`, `Cache-Control`, `304` on `If-None-Match`, and a small
//! in-process cache so that a burst of readers (a warning in the news) costs one query per
//! page rather than one per reader.
//!
//! An entry is good while nothing public changed in this process (every publication,
//! update and cancellation calls [`PublicCache::invalidate`]) and for at most
//! [`FRESH_FOR`], which bounds how stale another instance's cache can be.

use std::{
    collections::HashMap,
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, PoisonError,
    },
    time::{Duration, Instant},
};

use axum::{
    body::Bytes,
    extract::{FromRequestParts, Request},
    http::{header, request::Parts, uri::PathAndQuery, HeaderMap, HeaderValue, StatusCode, Uri},
    response::{IntoResponse, Response},
};
use prism_platform::http::front::Revalidate;
use sha2::{Digest as _, Sha256};

/// How long an entry may serve without a local change.
pub const FRESH_FOR: Duration = Duration::from_secs(2);
/// How much longer an entry that only aged (nothing public changed in this process) may
/// serve while one reader renders its successor.
const AGED_SERVES_FOR: Duration = Duration::from_secs(2);
/// What clients and shared caches are told.
pub const CACHE_CONTROL: &str = "public, max-age=30";
/// Entries kept at most; the cache starts over when full.
const CAPACITY: usize = 1_024;

/// A rendered public response.
pub struct Cached {
    pub etag: HeaderValue,
    pub body: Bytes,
    pub content_type: &'static str,
    generation: u64,
    made: Instant,
}

impl Cached {
    /// The response to a request with this `If-None-Match`: `304` when it names this
    /// entry's tag.
    pub fn respond(&self, if_none_match: Option<&HeaderValue>) -> Response {
        let mut headers = self.validators();
        if matches_etag(if_none_match, &self.etag) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        (StatusCode::OK, headers, self.body.clone()).into_response()
    }

    /// The headers a `304` repeats (RFC 9110 15.4.5), and CORS's, which the front's `304`s
    /// carry without passing the router's CORS layer (see [`super::CORS_EXPOSED`]).
    fn validators(&self) -> HeaderMap {
        let mut headers = HeaderMap::with_capacity(6);
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(super::CORS_EXPOSED),
        );
        headers
    }
}

/// The public JSON API's revalidations, answered in front of the router
/// (`prism_platform::http::front`). Its entries are keyed by the request's path and query
/// ([`api_key`]), so a request names its entry without being routed; the site and feeds,
/// whose answers also depend on language and host, keep keys of their own and are not
/// answered here.
pub struct Revalidation(pub Arc<PublicCache>);

impl Revalidate for Revalidation {
    fn not_modified(&self, request: &Request) -> Option<(&'static str, Response)> {
        let route = api_route(request.uri().path())?;
        let entry = self.0.get(api_key(request.uri()))?;
        let if_none_match = request.headers().get(header::IF_NONE_MATCH);
        matches_etag(if_none_match, &entry.etag).then(|| {
            (
                route,
                (StatusCode::NOT_MODIFIED, entry.validators()).into_response(),
            )
        })
    }
}

/// The cache key of a public JSON API answer: the request's path and query.
pub fn api_key(uri: &Uri) -> &str {
    uri.path_and_query().map_or("", PathAndQuery::as_str)
}

/// The route pattern of a cacheable public JSON API path, if it is one.
fn api_route(path: &str) -> Option<&'static str> {
    let rest = path.strip_prefix("/v1/warnings")?;
    if rest.is_empty() {
        return Some("/v1/warnings");
    }
    let rest = rest.strip_prefix('/')?;
    match rest.split_once('/') {
        None => Some("/v1/warnings/{id}"),
        Some((_, "versions")) => Some("/v1/warnings/{id}/versions"),
        Some(_) => None,
    }
}

/// A request's `If-None-Match`, taken alone: the `HeaderMap` extractor copies every request
/// header, and on a cached public read that copy was a visible part of the profile.
pub struct IfNoneMatch(pub Option<HeaderValue>);

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(parts.headers.get(header::IF_NONE_MATCH).cloned()))
    }
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 asks for GET).
fn matches_etag(if_none_match: Option<&HeaderValue>, etag: &HeaderValue) -> bool {
    let Some(value) = if_none_match.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let ours = etag.to_str().unwrap_or("");
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

/// The cache of public responses, shared by handlers.
#[derive(Default)]
pub struct PublicCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Arc<Cached>>>,
    /// One turn per key being rendered (see [`PublicCache::get_or_render`]).
    rendering: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl PublicCache {
    /// A fresh entry for `key`, if there is one.
    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        self.unchanged(key, FRESH_FOR)
    }

    /// An entry for `key` that aged without a local change, within [`AGED_SERVES_FOR`].
    fn aged(&self, key: &str) -> Option<Arc<Cached>> {
        self.unchanged(key, FRESH_FOR + AGED_SERVES_FOR)
    }

    /// The entry for `key` if nothing public changed in this process since it was made and
    /// it is younger than `age`.
    fn unchanged(&self, key: &str, age: Duration) -> Option<Arc<Cached>> {
        let generation = self.generation.load(Ordering::Acquire);
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.generation == generation && e.made.elapsed() < age)
            .cloned()
    }

    /// The fresh entry for `key`, or the one `render` makes (its content type and body).
    ///
    /// Concurrent misses of one key render once: the others wait for that entry. Every entry
    /// goes stale after [`FRESH_FOR`], and under load every reader in flight at that moment
    /// used to miss together and query and render the same page, a hundred times over at a
    /// hundred connections. An error (a 404, a bad cursor) is not kept; the next in line
    /// renders again.
    pub async fn get_or_render<E, Render>(
        &self,
        key: String,
        render: impl FnOnce() -> Render,
    ) -> Result<Arc<Cached>, E>
    where
        Render: Future<Output = Result<(&'static str, Vec<u8>), E>>,
    {
        if let Some(hit) = self.get(&key) {
            return Ok(hit);
        }
        let turn = Arc::clone(
            self.rendering
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key.clone())
                .or_default(),
        );
        // An entry that only aged keeps serving while one reader renders its successor:
        // waiting for that render put a pause in every reader's answer each `FRESH_FOR`.
        // After a local change nobody is served the old entry.
        let _turn = match self.aged(&key) {
            Some(aged) => match Arc::clone(&turn).try_lock_owned() {
                Ok(turn) => turn,
                Err(_) => return Ok(aged),
            },
            None => Arc::clone(&turn).lock_owned().await,
        };
        let _rendering = Rendering {
            cache: self,
            key: &key,
            turn,
        };
        if let Some(hit) = self.get(&key) {
            return Ok(hit);
        }
        let (content_type, body) = render().await?;
        Ok(self.put(key.clone(), content_type, body))
    }

    /// Keeps `body` under `key` and returns it as an entry (tagged by its content).
    pub fn put(&self, key: String, content_type: &'static str, body: Vec<u8>) -> Arc<Cached> {
        let digest = Sha256::digest(&body);
        let tag = format!("\"{}\"", hex_prefix(&digest));
        let entry = Arc::new(Cached {
            etag: HeaderValue::from_str(&tag).unwrap_or(HeaderValue::from_static("\"0\"")),
            body: Bytes::from(body),
            content_type,
            generation: self.generation.load(Ordering::Acquire),
            made: Instant::now(),
        });
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key, entry.clone());
        }
        entry
    }

    /// Something public changed: every entry is stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// Forgets a key's render turn when its renderer is done, or gone (the reader hung up).
/// Readers still waiting hold the turn and find the entry when they get it.
struct Rendering<'a> {
    cache: &'a PublicCache,
    key: &'a str,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.cache.rendering.lock() {
            if rendering
                .get(self.key)
                .is_some_and(|turn| Arc::ptr_eq(turn, &self.turn))
            {
                rendering.remove(self.key);
            }
        }
    }
}

fn hex_prefix(digest: &[u8]) -> String {
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matching_tag_is_not_modified_and_invalidation_forgets() {
        let cache = PublicCache::default();
        let entry = cache.put("k".to_owned(), "application/json", b"[]".to_vec());
        assert_eq!(
            entry.respond(Some(&entry.etag)).status(),
            StatusCode::NOT_MODIFIED
        );
        let other = HeaderValue::from_static("\"other\"");
        assert_eq!(entry.respond(Some(&other)).status(), StatusCode::OK);
        assert_eq!(entry.respond(None).status(), StatusCode::OK);
        assert!(cache.get("k").is_some());
        cache.invalidate();
        assert!(cache.get("k").is_none());
    }

    #[tokio::test]
    async fn readers_missing_together_render_once_and_errors_are_not_kept() {
        let cache = Arc::new(PublicCache::default());
        let renders = Arc::new(AtomicU64::new(0));
        let readers: Vec<_> = (0..50)
            .map(|_| {
                let (cache, renders) = (cache.clone(), renders.clone());
                tokio::spawn(async move {
                    cache
                        .get_or_render("page".to_owned(), || async {
                            renders.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok::<_, ()>(("application/json", b"[1]".to_vec()))
                        })
                        .await
                })
            })
            .collect();
        for reader in readers {
            let entry = reader.await.expect("reader").expect("entry");
            assert_eq!(&entry.body[..], b"[1]");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
        assert!(cache.rendering.lock().expect("lock").is_empty());

        let failed = cache
            .get_or_render("missing".to_owned(), || async {
                Err::<(&str, Vec<u8>), _>(404)
            })
            .await;
        assert_eq!(failed.err(), Some(404));
        assert!(cache.get("missing").is_none());
        let rendered = cache
            .get_or_render("missing".to_owned(), || async {
                Ok::<_, u16>(("application/json", b"{}".to_vec()))
            })
            .await
            .expect("rendered on the next try");
        assert_eq!(&rendered.body[..], b"{}");
    }

    #[tokio::test]
    async fn an_aged_entry_serves_while_its_successor_renders_but_not_after_a_change() {
        let cache = Arc::new(PublicCache::default());
        let aged = cache.put("page".to_owned(), "application/json", b"[old]".to_vec());
        let made = Instant::now() - FRESH_FOR - Duration::from_millis(1);
        let aged = Arc::new(Cached {
            etag: aged.etag.clone(),
            body: aged.body.clone(),
            content_type: aged.content_type,
            generation: aged.generation,
            made,
        });
        cache
            .entries
            .lock()
            .expect("lock")
            .insert("page".to_owned(), aged);
        assert!(cache.get("page").is_none(), "aged, so not fresh");

        let renderer = {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .get_or_render("page".to_owned(), || async {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        Ok::<_, ()>(("application/json", b"[new]".to_vec()))
                    })
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let meanwhile = cache
            .get_or_render("page".to_owned(), || async {
                Ok::<_, ()>(("application/json", b"[second render]".to_vec()))
            })
            .await
            .expect("entry");
        assert_eq!(
            &meanwhile.body[..],
            b"[old]",
            "served at once, not rendered twice"
        );
        let rendered = renderer.await.expect("renderer").expect("entry");
        assert_eq!(&rendered.body[..], b"[new]");
        assert_eq!(&cache.get("page").expect("fresh").body[..], b"[new]");

        // A local change: the entry is not served again, even while it would be fresh.
        cache.invalidate();
        let after = cache
            .get_or_render("page".to_owned(), || async {
                Ok::<_, ()>(("application/json", b"[changed]".to_vec()))
            })
            .await
            .expect("entry");
        assert_eq!(&after.body[..], b"[changed]");
    }

    #[test]
    fn only_the_public_json_api_is_revalidated_in_front() {
        assert_eq!(api_route("/v1/warnings"), Some("/v1/warnings"));
        assert_eq!(api_route("/v1/warnings/abc"), Some("/v1/warnings/{id}"));
        assert_eq!(
            api_route("/v1/warnings/abc/versions"),
            Some("/v1/warnings/{id}/versions")
        );
        // CAP depends on the host it is served from; drafts are not public.
        assert_eq!(api_route("/v1/warnings/abc/cap"), None);
        assert_eq!(api_route("/v1/warningsx"), None);
        assert_eq!(api_route("/v1/drafts"), None);
        assert_eq!(api_route("/feeds/warnings.atom"), None);
    }
}
