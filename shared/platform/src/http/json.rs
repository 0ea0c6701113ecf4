//! A JSON extractor whose errors name the field at fault, in both languages.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use http::header;
use serde::de::DeserializeOwned;

use super::error::{ApiError, Text};

/// Like `axum::Json`, but a bad body becomes an [`ApiError`] that names the field.
/// Request types use `#[serde(deny_unknown_fields)]`, so an unknown field is a 400 too.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !is_json {
            return Err(ApiError::BadRequest {
                code: "unsupported_media_type",
                message: Text::new(
                    "请求体须为 JSON（Content-Type: application/json）",
                    "The body must be JSON (Content-Type: application/json)",
                ),
                field: None,
            });
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| ApiError::PayloadTooLarge)?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the field of the first error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let detail = inner.to_string();
        if let Some(name) = unknown_field_name(&detail) {
            // The path already ends with the unknown name; older serde versions stop before it.
            let field = if path == "." {
                name.to_owned()
            } else if path.ends_with(name) {
                path.clone()
            } else {
                format!("{path}.{name}")
            };
            return ApiError::BadRequest {
                code: "unknown_field",
                message: Text::owned(
                    format!("未知字段：{field}"),
                    format!("Unknown field: {field}"),
                ),
                field: Some(field),
            };
        }
        if inner.is_syntax() || inner.is_eof() || path == "." {
            return ApiError::BadRequest {
                code: "malformed_json",
                message: Text::owned(
                    format!("JSON 格式错误：{detail}"),
                    format!("Malformed JSON: {detail}"),
                ),
                field: None,
            };
        }
        ApiError::BadRequest {
            code: "invalid_field",
            message: Text::owned(
                format!("字段 {path} 的值无效：{detail}"),
                format!("Field {path} has an invalid value: {detail}"),
            ),
            field: Some(path),
        }
    })
}

fn unknown_field_name(detail: &str) -> Option<&str> {
    let rest = detail.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Report {
        product: String,
        reporter: Reporter,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Reporter {
        name: String,
    }

    fn field_of(error: ApiError) -> Option<String> {
        match error {
            ApiError::BadRequest { field, .. } => field,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_nested_field_is_named() {
        let error = parse::<Report>(br#"{"product":"x","reporter":{"name":"a","age":3}}"#)
            .expect_err("unknown field");
        assert_eq!(field_of(error).as_deref(), Some("reporter.age"));
    }

    #[test]
    fn a_wrong_type_is_named() {
        let error =
            parse::<Report>(br#"{"product":5,"reporter":{"name":"a"}}"#).expect_err("wrong type");
        assert_eq!(field_of(error).as_deref(), Some("product"));
    }
}

/// Like `axum::extract::Query`, but a bad query string becomes a 400 naming the parameter
/// (query types use `#[serde(deny_unknown_fields)]`, so an unknown parameter is refused).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|error| {
                let path = error.path().to_string();
                let detail = error.inner().to_string();
                let field = unknown_field_name(&detail)
                    .map(str::to_owned)
                    .unwrap_or_else(|| path.clone());
                let code = if unknown_field_name(&detail).is_some() {
                    "unknown_parameter"
                } else {
                    "invalid_parameter"
                };
                ApiError::BadRequest {
                    code,
                    message: Text::owned(
                        format!("查询参数 {field} 无效：{detail}"),
                        format!("Query parameter {field} is invalid: {detail}"),
                    ),
                    field: Some(field),
                }
            })
    }
}
