//! The public's feedback (意见和建议): `GET /feedback` shows the form, `POST /feedback`
//! stores a message for regulators, who read them at `GET /v1/feedback`.
//!
//! Abuse is bounded three ways: a message over [`MESSAGE_MAX`] characters (or a body over
//! [`BODY_MAX`] bytes) is refused; the same message again within a day is refused; and each
//! sender, and everyone together, is rate-limited. The service does not see the peer
//! address, so a sender is told apart by the `X-Forwarded-For` its reverse proxy sets;
//! the global limit holds even when that header is forged.

use std::{num::NonZeroU32, sync::Arc, time::Duration};

use axum::{
    extract::{DefaultBodyLimit, Query, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Form, Json, Router,
};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use minijinja::context;
use prism_platform::{
    auth::{Person, Role},
    http::{problem::Language, ApiError, ApiQuery, Page, PageQuery},
};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::{
    site::{labels, language, render},
    views::FeedbackView,
    AppState,
};
use crate::store::{
    feedback::{self, NewFeedback},
    warnings::now,
};

/// The longest message, in characters.
pub const MESSAGE_MAX: usize = 2_000;
const CONTACT_MAX: usize = 200;
/// The largest form body accepted, in bytes: room for 2,000 characters of Chinese,
/// percent-encoded (nine bytes each).
pub const BODY_MAX: usize = 32 * 1024;
/// How long the same message counts as a repeat.
const REPEAT_WINDOW_HOURS: i64 = 24;
const HTML: &str = "text/html; charset=utf-8";

/// How often feedback may arrive.
pub struct FeedbackLimits {
    per_sender: DefaultKeyedRateLimiter<String>,
    everyone: DefaultDirectRateLimiter,
}

impl Default for FeedbackLimits {
    /// Five messages at once per sender, then one a minute; sixty at once for everyone,
    /// then one a second.
    fn default() -> Self {
        let five = NonZeroU32::new(5).unwrap_or(NonZeroU32::MIN);
        let sixty = NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN);
        let per_sender = Quota::with_period(Duration::from_secs(60))
            .map(|q| q.allow_burst(five))
            .unwrap_or_else(|| Quota::per_minute(five));
        let everyone = Quota::with_period(Duration::from_secs(1))
            .map(|q| q.allow_burst(sixty))
            .unwrap_or_else(|| Quota::per_second(sixty));
        Self {
            per_sender: RateLimiter::keyed(per_sender),
            everyone: RateLimiter::direct(everyone),
        }
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/feedback",
            get(form)
                .post(submit)
                .layer(DefaultBodyLimit::max(BODY_MAX)),
        )
        .route("/v1/feedback", get(list))
}

/// The form's fields.
#[derive(Debug, Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// `?lang=` and `?sent=1` of the form page.
#[derive(Debug, Deserialize)]
pub struct FormQuery {
    lang: Option<String>,
    sent: Option<u8>,
}

fn page(
    state: &AppState,
    language: Language,
    status: StatusCode,
    sent: bool,
    error: Option<&str>,
    form: Option<&FeedbackForm>,
) -> Result<Response, ApiError> {
    let other = if language == Language::En { "zh" } else { "en" };
    let body = render(
        state,
        "feedback.html",
        context! {
            t => labels(language), sent => sent, error => error,
            message => form.map(|f| f.message.clone()),
            contact => form.and_then(|f| f.contact.clone()),
            switch_href => format!("/feedback?lang={other}"),
        },
    )?;
    Ok((status, [(header::CONTENT_TYPE, HTML)], body).into_response())
}

/// The form (anyone).
pub async fn form(
    State(state): State<AppState>,
    Query(query): Query<FormQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let language = language(query.lang.as_deref(), &headers);
    page(
        &state,
        language,
        StatusCode::OK,
        query.sent == Some(1),
        None,
        None,
    )
}

fn sender(headers: &HeaderMap) -> String {
    headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().chars().take(64).collect())
        .filter(|v: &String| !v.is_empty())
        .unwrap_or_else(|| "direct".to_owned())
}

/// The same words with different spacing or case are the same message.
fn fingerprint(message: &str) -> String {
    let normalised: String = message
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

/// Stores a message (anyone), then shows the form again with thanks.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<FeedbackForm>,
) -> Result<Response, ApiError> {
    let language = language(form.lang.as_deref(), &headers);
    let en = language == Language::En;
    let message = form.message.trim().to_owned();
    let contact = form
        .contact
        .as_ref()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    let invalid = if message.is_empty() {
        Some(if en {
            "Please write a message."
        } else {
            "请填写意见或建议。"
        })
    } else if message.chars().count() > MESSAGE_MAX {
        Some(if en {
            "The message is longer than 2,000 characters."
        } else {
            "内容超过 2000 字。"
        })
    } else if contact
        .as_ref()
        .is_some_and(|c| c.chars().count() > CONTACT_MAX)
    {
        Some(if en {
            "The contact is longer than 200 characters."
        } else {
            "联系方式超过 200 字。"
        })
    } else {
        None
    };
    if let Some(error) = invalid {
        return page(
            &state,
            language,
            StatusCode::UNPROCESSABLE_ENTITY,
            false,
            Some(error),
            Some(&form),
        );
    }
    let client = sender(&headers);
    if state.feedback_limits.per_sender.check_key(&client).is_err()
        || state.feedback_limits.everyone.check().is_err()
    {
        let error = if en {
            "Too many messages; please try again later."
        } else {
            "提交过于频繁，请稍后再试。"
        };
        let mut response = page(
            &state,
            language,
            StatusCode::TOO_MANY_REQUESTS,
            false,
            Some(error),
            Some(&form),
        )?;
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("60"));
        return Ok(response);
    }
    let at = now();
    let stored = feedback::insert_unless_repeated(
        &state.db,
        NewFeedback {
            fingerprint: fingerprint(&message),
            message,
            contact,
            language: if en { "en" } else { "zh" }.to_owned(),
            client,
        },
        at - chrono::Duration::hours(REPEAT_WINDOW_HOURS),
        at,
    )
    .await?;
    if !stored {
        let error = if en {
            "This message was already received."
        } else {
            "相同内容已提交过，请勿重复提交。"
        };
        return page(
            &state,
            language,
            StatusCode::CONFLICT,
            false,
            Some(error),
            Some(&form),
        );
    }
    metrics::counter!("feedback_received_total").increment(1);
    let lang = if en { "en" } else { "zh" };
    Ok(Redirect::to(&format!("/feedback?lang={lang}&sent=1")).into_response())
}

/// The public's messages, newest first (regulator).
#[utoipa::path(get, path = "/v1/feedback", params(PageQuery),
    responses((status = 200, body = Page<FeedbackView>), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    person: Person,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> Result<Json<Page<FeedbackView>>, ApiError> {
    person.require(&[Role::Regulator])?;
    let limit = page.limit()?;
    let before = page.after_id()?;
    let rows = feedback::list(&state.db, before, limit).await?;
    let page = Page::from_overfetch(rows, limit, |row| row.id.to_string());
    Ok(Json(Page {
        items: page.items.into_iter().map(FeedbackView::from).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// Shared limits, one set per process.
pub fn limits() -> Arc<FeedbackLimits> {
    Arc::new(FeedbackLimits::default())
}
