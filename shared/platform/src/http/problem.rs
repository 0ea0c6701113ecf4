//! RFC 9457 problem details, rendered in the caller's language.
//!
//! Handlers cannot see `Accept-Language` when an error turns into a response, so a
//! [`Problem`] travels as a response extension and [`render`] (called by the edge, which
//! does see the request) writes the body in the right language. It also turns the edge's own
//! bare errors (unknown route, wrong method, timeout, oversized body) into problems.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use serde_json::json;

use super::error::{FieldError, Text};

/// A problem waiting to be rendered.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// Stable, machine-readable code.
    pub code: &'static str,
    pub detail: Text,
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: Text) -> Self {
        Self {
            status,
            code,
            detail,
            errors: Vec::new(),
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            Text::new("资源不存在", "Resource not found"),
        )
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            Text::new("请求体过大", "Request body too large"),
        )
    }

    fn for_bare_status(status: StatusCode) -> Option<Self> {
        Some(match status {
            StatusCode::NOT_FOUND => Self::not_found(),
            // The framework's own rejections (a malformed id in the path, say).
            StatusCode::BAD_REQUEST => Self::new(
                status,
                "bad_request",
                Text::new(
                    "请求无效，请检查路径和参数",
                    "Invalid request: check the path and parameters",
                ),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => Self::payload_too_large(),
            StatusCode::METHOD_NOT_ALLOWED => Self::new(
                status,
                "method_not_allowed",
                Text::new("不支持该请求方法", "Method not allowed"),
            ),
            StatusCode::REQUEST_TIMEOUT => Self::new(
                status,
                "timeout",
                Text::new("请求处理超时", "The request took too long"),
            ),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::new(
                status,
                "unsupported_media_type",
                Text::new("不支持的内容类型", "Unsupported content type"),
            ),
            _ => return None,
        })
    }

    /// The JSON body in one language.
    pub fn body(&self, language: Language) -> serde_json::Value {
        let pick = |text: &Text| match language {
            Language::Zh => text.zh.to_string(),
            Language::En => text.en.to_string(),
        };
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut body = json!({
            "type": format!("https://prism.example/problems/{}", self.code),
            "title": title,
            "status": self.status.as_u16(),
            "code": self.code,
            "detail": pick(&self.detail),
        });
        if !self.errors.is_empty() {
            body["errors"] = self
                .errors
                .iter()
                .map(|e| json!({"field": e.field, "message": pick(&e.message)}))
                .collect();
        }
        body
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// The languages problems are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Zh,
    En,
}

impl Language {
    /// Picks from an `Accept-Language` header: English only when it is preferred over Chinese.
    pub fn from_header(value: Option<&HeaderValue>) -> Self {
        let Some(value) = value.and_then(|v| v.to_str().ok()) else {
            return Self::Zh;
        };
        let mut best = (Self::Zh, -1.0_f32);
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
                .unwrap_or(1.0);
            let language = if tag.starts_with("en") {
                Self::En
            } else if tag.starts_with("zh") {
                Self::Zh
            } else {
                continue;
            };
            if quality > best.1 {
                best = (language, quality);
            }
        }
        best.0
    }
}

/// `response` with its problem, if it carries one, rendered in `language`.
pub fn render(mut response: Response, language: Language) -> Response {
    let problem = match response.extensions_mut().remove::<Problem>() {
        Some(problem) => problem,
        None => {
            // Only the framework's own bare answers (no body type, or plain text) become
            // problems; a page the service rendered itself (HTML, JSON) is left alone.
            let is_bare = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_none_or(|ct| ct.as_bytes().starts_with(b"text/plain"));
            match Problem::for_bare_status(response.status()).filter(|_| is_bare) {
                Some(problem) => problem,
                None => return response,
            }
        }
    };
    let body = problem.body(language).to_string();
    let mut rendered = (problem.status, body).into_response();
    rendered.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    rendered.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(match language {
            Language::Zh => "zh-CN",
            Language::En => "en",
        }),
    );
    // Keep headers the inner layers set (request id, Retry-After, WWW-Authenticate...).
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_is_the_default_language() {
        assert_eq!(Language::from_header(None), Language::Zh);
        let header = HeaderValue::from_static("fr-FR");
        assert_eq!(Language::from_header(Some(&header)), Language::Zh);
    }

    #[test]
    fn english_is_used_when_preferred() {
        let header = HeaderValue::from_static("en-US,en;q=0.9,zh-CN;q=0.5");
        assert_eq!(Language::from_header(Some(&header)), Language::En);
        let header = HeaderValue::from_static("zh-CN,en;q=0.8");
        assert_eq!(Language::from_header(Some(&header)), Language::Zh);
    }
}
