//! The layers around every service's router, and serving with graceful shutdown.

use std::{convert::Infallible, future::Future, time::Duration};

use axum::{
    body::Body,
    extract::{DefaultBodyLimit, Request},
    response::{IntoResponse, Response},
    Router,
};
use http::{HeaderName, StatusCode};
use tokio::net::TcpListener;
use tower::{make::Shared, Service, ServiceBuilder};
use tower_http::{
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};

use super::finish::FinishLayer;
use crate::config::HttpSettings;

pub(crate) static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Wraps a service's routes with what every endpoint needs: request ids, a trace span per
/// request, metrics, a timeout, a body limit enforced before parsing, problem rendering, and
/// a problem-JSON 404 for unknown paths.
pub fn edge(routes: Router, settings: &HttpSettings) -> Router {
    // One `layer` call with the whole stack: each `Router::layer` boxes every route once more,
    // and axum clones a route's boxes for every request. Eight separate calls were eight
    // allocations and clones per request, about 6 % of a cached public read's time in the
    // profile. The first layer listed is the outermost.
    let stack = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID.clone(), MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request
                    .headers()
                    .get(&REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!(
                    "http",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id,
                )
            }),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID.clone()))
        .layer(FinishLayer)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(settings.request_timeout_secs),
        ))
        // The body limit wraps request and response bodies in types of its own; the layers
        // above and the routes below take axum's.
        .map_response(IntoResponse::into_response)
        .layer(RequestBodyLimitLayer::new(settings.body_limit_bytes))
        .map_request(|request: http::Request<_>| request.map(Body::new))
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes));
    // Installs the recorder before any request caches a metric handle.
    let _ = crate::telemetry::metrics_handle();
    routes
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(stack)
}

/// Serves until `shutdown` resolves, then stops accepting and lets requests in flight finish.
/// `app` is the router, or the router behind a [`super::front::Front`].
pub async fn serve<S>(
    listener: TcpListener,
    app: S,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    axum::serve(listener, Shared::new(app))
        .with_graceful_shutdown(shutdown)
        .await
}

/// As [`serve`], but `GET` requests for `stream_paths` are answered by [`super::lean`], so
/// an idle event stream holds no HTTP buffers; their streams end when `shutdown` is cancelled.
pub async fn serve_lean(
    listener: TcpListener,
    app: Router,
    stream_paths: &'static [&'static str],
    shutdown: tokio_util::sync::CancellationToken,
) -> std::io::Result<()> {
    let listener = super::lean::listen(listener, app.clone(), stream_paths, shutdown.clone())?;
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await
}
