//! `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers): where a rate-
//! limited caller stands, on every answer of a limited operation, 429s included.

use axum::{
    http::{HeaderMap, HeaderName, HeaderValue},
    response::{IntoResponse, Response},
};
use fairlink_domain::{
    DomainError,
    rate_limit::{RateLimit, RateStanding},
};

use crate::AppState;

pub const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

pub(crate) fn insert(headers: &mut HeaderMap, standing: &RateStanding) {
    for (name, value) in [
        (RATELIMIT_POLICY, standing.policy_header()),
        (RATELIMIT, standing.header()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// Counts a request of `client` against the operation's limit, when it has one: where the
/// client stands, or a 429 once its window is full.
pub async fn take_rate_slot(
    state: &AppState,
    scope: &str,
    client: &str,
    limit: Option<RateLimit>,
) -> Result<Option<RateStanding>, DomainError> {
    let Some(limit) = limit else {
        return Ok(None);
    };
    let window = state
        .repo
        .take_rate_slot(scope, client, limit, state.now())
        .await?;
    window.admitted().map(Some)
}

/// The answer with the caller's standing, when the operation is limited.
pub fn with_rate_headers(standing: Option<RateStanding>, answer: impl IntoResponse) -> Response {
    let mut response = answer.into_response();
    if let Some(standing) = &standing {
        insert(response.headers_mut(), standing);
    }
    response
}
