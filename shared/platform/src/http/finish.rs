//! What every answer passes on its way out: its problem rendered in the caller's language,
//! and the request counted and timed for Prometheus.
//!
//! A tower service of its own rather than two `middleware::from_fn`: `from_fn` clones the
//! whole stack below it for every request so that its `Next` can own a service, and the
//! metric macros built three label strings and looked the series up by hashing them. On a
//! cached public read (`304`) the two were a measurable share of the server's time.

use std::{
    cell::RefCell,
    collections::HashMap,
    convert::Infallible,
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{
    extract::{MatchedPath, Request},
    response::Response,
};
use futures::future::BoxFuture;
use http::{header, Method, StatusCode};
use metrics::{Counter, Histogram};
use tower::{Layer, Service};

use super::problem::{self, Language};

/// The layer: [`Finish`] around the routes.
#[derive(Clone, Copy, Default)]
pub struct FinishLayer;

impl<S> Layer<S> for FinishLayer {
    type Service = Finish<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Finish { inner }
    }
}

/// Renders problems and records `http_requests_total` and `http_request_duration_seconds`
/// by method, route and status.
#[derive(Clone)]
pub struct Finish<S> {
    inner: S,
}

impl<S> Service<Request> for Finish<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let started = Instant::now();
        let language = Language::from_header(request.headers().get(header::ACCEPT_LANGUAGE));
        let route = request.extensions().get::<MatchedPath>().cloned();
        let method = request.method().clone();
        let answer = self.inner.call(request);
        Box::pin(async move {
            let response = problem::render(answer.await?, language);
            let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
            record(&method, route, response.status(), started.elapsed());
            Ok(response)
        })
    }
}

/// One series' handles.
struct Series {
    method: Method,
    status: StatusCode,
    requests: Counter,
    duration: Histogram,
}

thread_local! {
    /// Each worker thread's handles by route, so that a request finds its series without
    /// building labels or taking a lock. The recorder is installed before the first router is
    /// built ([`super::edge`]), so no handle cached here is a no-op one.
    static SERIES: RefCell<HashMap<String, Vec<Series>>> = RefCell::new(HashMap::new());
}

pub(crate) fn record(method: &Method, route: &str, status: StatusCode, took: Duration) {
    SERIES.with_borrow_mut(|series| {
        if !series.contains_key(route) {
            series.insert(route.to_owned(), Vec::new());
        }
        let Some(of_route) = series.get_mut(route) else {
            return;
        };
        let position = of_route
            .iter()
            .position(|s| s.status == status && s.method == method);
        let one = match position {
            Some(i) => &of_route[i],
            None => {
                let labels = [
                    ("method", method.as_str().to_owned()),
                    ("route", route.to_owned()),
                    ("status", status.as_str().to_owned()),
                ];
                of_route.push(Series {
                    method: method.clone(),
                    status,
                    requests: metrics::counter!("http_requests_total", &labels),
                    duration: metrics::histogram!("http_request_duration_seconds", &labels),
                });
                &of_route[of_route.len() - 1]
            }
        };
        one.requests.increment(1);
        one.duration.record(took.as_secs_f64());
    });
}
