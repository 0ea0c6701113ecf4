//! Cursor pagination: `?limit=` (1 to 100, default 50) and an opaque `cursor`.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde::{Deserialize, Serialize};

use super::error::{ApiError, Text};

/// The largest page a caller may ask for.
pub const MAX_LIMIT: u64 = 100;
const DEFAULT_LIMIT: u64 = 50;

/// The pagination part of a list query.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Items per page, 1 to 100.
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    /// The validated page size.
    pub fn limit(&self) -> Result<u64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
            Some(_) => Err(ApiError::field(
                "limit",
                Text::new(
                    "limit 须在 1 到 100 之间",
                    "limit must be between 1 and 100",
                ),
            )),
        }
    }

    /// The decoded cursor: the sort key of the last item of the previous page.
    pub fn after(&self) -> Result<Option<String>, ApiError> {
        let Some(cursor) = &self.cursor else {
            return Ok(None);
        };
        URL_SAFE_NO_PAD
            .decode(cursor)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(Some)
            .ok_or_else(|| {
                ApiError::field("cursor", Text::new("cursor 无效", "cursor is not valid"))
            })
    }
}

impl PageQuery {
    /// The decoded cursor as an id, for lists ordered by a UUIDv7 key.
    pub fn after_id(&self) -> Result<Option<uuid::Uuid>, ApiError> {
        self.after()?
            .map(|id| uuid::Uuid::parse_str(&id))
            .transpose()
            .map_err(|_| ApiError::field("cursor", Text::new("cursor 无效", "cursor is not valid")))
    }
}

/// A page of items.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` items fetched in order: the extra one only says
    /// that another page exists.
    pub fn from_overfetch(mut items: Vec<T>, limit: u64, key: impl Fn(&T) -> String) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| URL_SAFE_NO_PAD.encode(key(last)))
        } else {
            None
        };
        Self { items, next_cursor }
    }
}
