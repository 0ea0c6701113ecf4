//! `/v1/reports/{id}/attachments`: photos and lab-report PDFs (≤ 10 MB), their type checked
//! by content, stored by SHA-256 under the data folder, linked to a report its station owns.

use axum::{
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use chrono::{DateTime, Utc};
use prism_platform::http::{problem::Problem, ApiError, FieldError, Text};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::{caller::Caller, reports::visible_report, AppState};
use crate::store::{
    attachments::{self, Linked},
    entities::attachment,
};

/// The largest attachment: 10 MB.
pub const MAX_ATTACHMENT: usize = 10 * 1024 * 1024;

/// What a station may attach, recognised by the bytes, never by the name or header.
pub const ACCEPTED: [&str; 5] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heif",
    "application/pdf",
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/reports/{id}/attachments", get(list).post(upload))
        .route("/v1/reports/{id}/attachments/{sha256}", get(download))
        // Room for the multipart envelope around a 10 MB file; the edge's
        // `http.body_limit_bytes` must allow as much for intake.
        .layer(DefaultBodyLimit::max(MAX_ATTACHMENT + 64 * 1024))
}

/// An attachment's description.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub sha256: String,
    pub media_type: String,
    pub size: i64,
    pub file_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<attachment::Model> for AttachmentView {
    fn from(row: attachment::Model) -> Self {
        Self {
            sha256: row.sha256,
            media_type: row.media_type,
            size: row.size,
            file_name: row.file_name,
            created_at: row.created_at,
        }
    }
}

fn unreadable(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::PayloadTooLarge;
    }
    ApiError::BadRequest {
        code: "bad_multipart",
        message: Text::new(
            "multipart 请求体无法读取",
            "The multipart body could not be read",
        ),
        field: None,
    }
}

/// Attach a photo or PDF to the station's own report (multipart field `file`).
#[utoipa::path(post, path = "/v1/reports/{id}/attachments", request_body(content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentView), (status = 200, body = AttachmentView), (status = 404), (status = 413), (status = 415)),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let station = caller.station()?;
    let report = crate::store::reports::find(&state.db, id)
        .await?
        .filter(|r| r.station_id == station.id)
        .ok_or(ApiError::NotFound)?;
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            let name = field.name().unwrap_or("").to_owned();
            return Err(ApiError::BadRequest {
                code: "unknown_field",
                message: Text::owned(
                    format!("未知字段：{name}"),
                    format!("Unknown field: {name}"),
                ),
                field: Some(name),
            });
        }
        let file_name = field
            .file_name()
            .map(|n| n.chars().take(255).collect::<String>());
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > MAX_ATTACHMENT {
                return Err(ApiError::PayloadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some((file_name, bytes));
    }
    let (file_name, bytes) =
        file.ok_or_else(|| ApiError::field("file", Text::new("缺少 file", "file is required")))?;
    let Some(media_type) = infer::get(&bytes)
        .map(|kind| kind.mime_type())
        .filter(|mime| ACCEPTED.contains(mime))
    else {
        let message = Text::new(
            "附件须为照片（JPEG、PNG、WebP、HEIF）或 PDF 检测报告，按文件内容判断",
            "An attachment must be a photo (JPEG, PNG, WebP, HEIF) or a PDF lab report, judged by its content",
        );
        return Ok(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_attachment_type",
            message.clone(),
        )
        .with_errors(vec![FieldError::new("file", message)])
        .into_response());
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    attachments::save_bytes(&state.data_dir, &sha256, &bytes)
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("saving attachment")))?;
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let (status, row) = match attachments::link(
        &state.db, report.id, &sha256, media_type, size, file_name,
    )
    .await?
    {
        Linked::New(row) => (StatusCode::CREATED, row),
        Linked::Existing(row) => (StatusCode::OK, row),
    };
    Ok((status, Json(AttachmentView::from(row))).into_response())
}

/// A report's attachments (whoever may read the report).
#[utoipa::path(get, path = "/v1/reports/{id}/attachments",
    responses((status = 200, body = Vec<AttachmentView>), (status = 404)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<Vec<AttachmentView>>, ApiError> {
    let report = visible_report(&state, &caller, id).await?;
    let rows = attachments::of(&state.db, report.id).await?;
    Ok(Json(rows.into_iter().map(AttachmentView::from).collect()))
}

/// One attachment's bytes.
#[utoipa::path(get, path = "/v1/reports/{id}/attachments/{sha256}",
    responses((status = 200, content_type = "application/octet-stream"), (status = 404)), security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, sha256)): Path<(Uuid, String)>,
) -> Result<Response, ApiError> {
    let report = visible_report(&state, &caller, id).await?;
    let row = attachments::find(&state.db, report.id, &sha256)
        .await?
        .ok_or(ApiError::NotFound)?;
    let bytes = tokio::fs::read(attachments::path_of(&state.data_dir, &row.sha256))
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::new(e).context("reading attachment")))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&row.media_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    // The type was checked on the way in; browsers must not guess another one.
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment"),
    );
    Ok(response)
}
