//! The API error type. Each variant documents its status; unexpected errors become a 500
//! without leaking details.

use std::borrow::Cow;

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use super::problem::Problem;

/// A message in both languages PRISM speaks; the caller's `Accept-Language` picks one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Text {
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl Text {
    /// A message known at compile time.
    pub const fn new(zh: &'static str, en: &'static str) -> Self {
        Self {
            zh: Cow::Borrowed(zh),
            en: Cow::Borrowed(en),
        }
    }

    /// A message built at run time.
    pub fn owned(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: Cow::Owned(zh.into()),
            en: Cow::Owned(en.into()),
        }
    }
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field, e.g. `districts[1]` or `ecommerce.price`.
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Text) -> Self {
        Self {
            field: field.into(),
            message,
        }
    }
}

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 422: the request was well-formed but fields are invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 400: the request could not be read (malformed JSON, unknown field, bad parameter).
    #[error("bad request: {code}")]
    BadRequest {
        code: &'static str,
        message: Text,
        field: Option<String>,
    },
    /// 401: no credentials, or credentials that do not verify.
    #[error("unauthenticated")]
    Unauthenticated,
    /// 403: authenticated, but not allowed to do this.
    #[error("forbidden")]
    Forbidden,
    /// 404: no such resource, or one the caller may not know exists.
    #[error("not found")]
    NotFound,
    /// 409: the request conflicts with the current state.
    #[error("conflict: {code}")]
    Conflict { code: &'static str, message: Text },
    /// 413: the body is larger than the limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// 503: a dependency is down.
    #[error("service unavailable")]
    Unavailable,
    /// 500: anything unexpected; logged in full, answered without details.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 with a single field error.
    pub fn field(field: impl Into<String>, message: Text) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Internal(anyhow::Error::new(error).context("database"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = match self {
            Self::Validation(errors) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Text::new(
                    "请求中有字段不合规",
                    "Some fields of the request are invalid",
                ),
            )
            .with_errors(errors),
            Self::BadRequest {
                code,
                message,
                field,
            } => {
                let problem = Problem::new(StatusCode::BAD_REQUEST, code, message.clone());
                match field {
                    Some(field) => problem.with_errors(vec![FieldError::new(field, message)]),
                    None => problem,
                }
            }
            Self::Unauthenticated => Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                Text::new("缺少或无效的凭证", "Missing or invalid credentials"),
            ),
            Self::Forbidden => Problem::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                Text::new("无权执行此操作", "You are not allowed to do this"),
            ),
            Self::NotFound => Problem::not_found(),
            Self::Conflict { code, message } => Problem::new(StatusCode::CONFLICT, code, message),
            Self::PayloadTooLarge => Problem::payload_too_large(),
            Self::Unavailable => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                Text::new(
                    "服务暂不可用，请稍后重试",
                    "Service unavailable, try again later",
                ),
            ),
            Self::Internal(error) => {
                tracing::error!(error = ?error, "internal error");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    Text::new("服务器内部错误", "Internal server error"),
                )
            }
        };
        problem.into_response()
    }
}
