//! Browser pages on other origins (a front-end's dev server) call fairlink-local: preflights
//! and responses carry the CORS headers the template's HTTP API gives in AWS.

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Which origins may call (FAIRLINK_CORS_ORIGINS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorsOrigins {
    /// `http://localhost:<any port>` and `http://127.0.0.1:<any port>` (the default).
    LocalPages,
    /// `*`.
    Any,
    /// A list of exact origins.
    Listed(Vec<String>),
}

impl CorsOrigins {
    pub fn parse(text: Option<&str>) -> Self {
        match text.map(str::trim) {
            None | Some("") => CorsOrigins::LocalPages,
            Some("*") => CorsOrigins::Any,
            Some(list) => CorsOrigins::Listed(
                list.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_string())
                    .filter(|o| !o.is_empty())
                    .collect(),
            ),
        }
    }

    fn allows(&self, origin: &str) -> bool {
        match self {
            CorsOrigins::Any => true,
            CorsOrigins::Listed(list) => list.iter().any(|o| o == origin),
            CorsOrigins::LocalPages => {
                ["http://localhost", "http://127.0.0.1"].iter().any(|host| {
                    origin == *host
                        || origin
                            .strip_prefix(host)
                            .and_then(|rest| rest.strip_prefix(':'))
                            .is_some_and(|port| {
                                !port.is_empty() && port.chars().all(|c| c.is_ascii_digit())
                            })
                })
            }
        }
    }

    /// The layer: the template's methods and headers, and the response headers a client
    /// reads (`Retry-After`, `ETag`, `x-request-id`, `idempotency-replayed`).
    pub fn layer(&self) -> CorsLayer {
        let origins = self.clone();
        let allow = AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|o| origins.allows(o))
        });
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::IF_MATCH,
                HeaderName::from_static("idempotency-key"),
            ])
            .expose_headers([
                header::RETRY_AFTER,
                header::ETAG,
                HeaderName::from_static("x-request-id"),
                HeaderName::from_static("idempotency-replayed"),
                HeaderName::from_static("ratelimit"),
                HeaderName::from_static("ratelimit-policy"),
                HeaderName::from_static("next-cursor"),
            ])
            .max_age(std::time::Duration::from_secs(600))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_pages_by_default_a_list_or_any() {
        let local = CorsOrigins::parse(None);
        assert!(local.allows("http://localhost:5173") && local.allows("http://127.0.0.1:3001"));
        assert!(!local.allows("http://localhost.evil.test") && !local.allows("https://evil.test"));
        assert!(!local.allows("http://localhost:80x"));
        let listed = CorsOrigins::parse(Some("https://fair.example/, https://admin.fair.example"));
        assert!(listed.allows("https://fair.example") && !listed.allows("http://localhost:5173"));
        assert!(CorsOrigins::parse(Some("*")).allows("https://anything.example"));
    }
}
