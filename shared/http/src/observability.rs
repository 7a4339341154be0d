//! The HTTP layer's part of the logs: a request id on every line, and a span per request
//! that names its route, never its body or headers (the lines are JSON and masked:
//! `fairlink_telemetry`).

use axum::{extract::MatchedPath, http::Request};
use tower_http::request_id::{MakeRequestId, RequestId};
use tracing::Span;

#[derive(Clone, Copy, Default)]
pub struct MakeRequestUlid;

impl MakeRequestId for MakeRequestUlid {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        ulid::Ulid::new()
            .to_string()
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

pub fn request_span<B>(request: &Request<B>) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info_span!("request", method = %request.method(), route, request_id)
}
