//! Concurrency control (API.md, Conventions): a GET of one resource answers an `ETag` (a
//! hash of its representation); `PUT`, `PATCH` and `DELETE` with `If-Match` go ahead only
//! while the resource's current tag is one of those given, else 412 `precondition_failed`
//! and nothing is written. The current tag is what a GET of the same path answers the same
//! caller now. A path without a GET (an exhibit's reps, one's presence) cannot be compared, and its
//! `If-Match` is not honoured (the operation's own conditions still hold); the document
//! offers `If-Match` and 412 only where they are (`document.rs`).
//!
//! The check and the write are two steps: a change landing between them is not caught.

use axum::{
    Router,
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::{BODY_LIMIT, problem::ApiError};

/// The strong tag of a representation.
pub fn entity_tag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether a JSON body is one resource, not a list page (`{"items": …}`, always written
/// items first): it gets a tag. Told by its first bytes, without parsing it.
fn is_one_resource(body: &[u8]) -> bool {
    body.starts_with(b"{") && !body.starts_with(br#"{"items""#)
}

fn matches(if_match: &str, current: &str) -> bool {
    if_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current)
}

/// The layer's work, with `inner` the router it wraps (for the GET of the current tag).
pub async fn conditional(inner: Router, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if method == Method::GET {
        return with_tag(next.run(request).await).await;
    }
    let writes = matches!(method, Method::PUT | Method::PATCH | Method::DELETE);
    let Some(if_match) = request
        .headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(String::from)
        .filter(|_| writes)
    else {
        return next.run(request).await;
    };
    let mut probe = Request::builder()
        .method(Method::GET)
        .uri(request.uri().clone())
        .body(Body::empty())
        .unwrap_or_default();
    for name in [header::AUTHORIZATION, header::HOST] {
        if let Some(value) = request.headers().get(&name) {
            probe.headers_mut().insert(name, value.clone());
        }
    }
    // The caller's verified identity travels in an extension in Lambda (the authorizer's
    // request context), the client address in another. Only those: the write's own route
    // parameters must not reach the GET's routing.
    if let Some(context) = request
        .extensions()
        .get::<lambda_http::request::RequestContext>()
    {
        probe.extensions_mut().insert(context.clone());
    }
    if let Some(peer) = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        probe.extensions_mut().insert(*peer);
    }
    let current = match inner.oneshot(probe).await {
        Ok(response) if response.status() == StatusCode::OK => {
            match to_bytes(response.into_body(), BODY_LIMIT).await {
                Ok(body) => Some(entity_tag(&body)),
                Err(_) => None,
            }
        }
        // Gone, or not the caller's: no current tag can match.
        Ok(response) if response.status() == StatusCode::NOT_FOUND => Some(String::new()),
        // No GET for this path (405), or the GET itself refused: not comparable.
        _ => None,
    };
    match current {
        Some(current) if !matches(&if_match, &current) || current.is_empty() => {
            ApiError::PreconditionFailed.into_response()
        }
        _ => next.run(request).await,
    }
}

async fn with_tag(response: Response) -> Response {
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if response.status() != StatusCode::OK || !json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if is_one_resource(&bytes)
        && let Ok(tag) = HeaderValue::from_str(&entity_tag(&bytes))
    {
        parts.headers.insert(header::ETAG, tag);
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_compare_strongly_and_star_matches_any() {
        let tag = entity_tag(br#"{"name":"Canton Fair"}"#);
        assert!(tag.starts_with('"') && tag.ends_with('"') && tag.len() == 26);
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"other\", {tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches(&format!("W/{tag}"), &tag));
        assert!(!matches("\"stale\"", &tag));
        assert!(is_one_resource(br#"{"id":"x"}"#));
        assert!(!is_one_resource(br#"{"items":[],"nextCursor":null}"#));
    }
}
