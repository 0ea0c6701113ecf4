//! The HTTP edge every service shares.
//!
//! - [`error`]: [`ApiError`], the one error type handlers return; it becomes RFC 9457
//!   `application/problem+json` with a stable `code` and per-field errors.
//! - [`problem`]: problems rendered in the caller's language (`Accept-Language`: `zh-CN`
//!   by default, `en`), including the edge's own 404/405/408/413.
//! - [`finish`]: the layer that renders them and records each request's metrics.
//! - [`front`]: `304`s for representations a service still vouches for, before routing.
//! - [`json`]: a JSON extractor whose errors name the field at fault.
//! - [`page`]: cursor pagination (`?limit=` ≤ 100, `next_cursor`).
//! - [`ops`]: `/healthz`, `/readyz`, `/metrics`, `/openapi.json`.
//! - [`edge`]: the layers around every router, and [`serve`] with graceful shutdown.
//! - [`lean`]: long-lived event streams answered without hyper's per-connection buffers.

pub mod edge;
pub mod error;
pub mod finish;
pub mod front;
pub mod json;
pub mod lean;
pub mod openapi;
pub mod ops;
pub mod page;
pub mod problem;

pub use edge::{edge, serve, serve_lean};
pub use error::{ApiError, FieldError, Text};
pub use json::{ApiJson, ApiQuery};
pub use page::{Page, PageQuery};
