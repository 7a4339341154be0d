//! The one place that maps errors to HTTP: RFC 9457 problem+json with a stable `code`.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use fairlink_domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// `urn:fairlink:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable: `validation_failed`, `not_found`, `settings_locked`, …
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// `unsupported_language`: the languages the fair offers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// 401: no valid token, or one that signs in as no active account (`code` says which).
    #[error("{detail}")]
    Unauthenticated { code: &'static str, detail: String },
    #[error("{0}")]
    MalformedJson(String),
    #[error("the request body is over the limit")]
    PayloadTooLarge,
    #[error("no such route")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 415: a body that is not JSON by its `Content-Type`.
    #[error("a body of {0} is not taken")]
    UnsupportedMediaType(String),
    /// 412: `If-Match` names a version that is no longer the resource's.
    #[error("the resource changed since it was read")]
    PreconditionFailed,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What a problem document is made of: its status, its `code`, the detail for the client
/// and, for `validation_failed`, the fields at fault.
struct ProblemParts {
    status: StatusCode,
    code: &'static str,
    detail: String,
    errors: Option<Vec<FieldError>>,
    languages: Option<Vec<String>>,
}

impl ProblemParts {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: None,
            languages: None,
        }
    }
}

/// A use case's error, as the client sees it. Internal and unavailable details stay in
/// the log.
fn domain_parts(error: &DomainError) -> ProblemParts {
    use DomainError as D;
    match error {
        D::NotFound(what) => ProblemParts::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        ),
        D::Forbidden(detail) => {
            ProblemParts::new(StatusCode::FORBIDDEN, "forbidden", detail.clone())
        }
        D::Validation(errors) => ProblemParts {
            errors: Some(errors.clone()),
            ..ProblemParts::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "the request has invalid fields",
            )
        },
        D::Conflict { code, detail } => {
            ProblemParts::new(StatusCode::CONFLICT, code, detail.clone())
        }
        D::Unprocessable { code, detail } => {
            ProblemParts::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail.clone())
        }
        D::UnsupportedLanguage { language, offered } => {
            let offered: Vec<String> = offered.iter().map(|l| l.to_string()).collect();
            ProblemParts {
                languages: Some(offered.clone()),
                ..ProblemParts::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unsupported_language",
                    format!(
                        "the fair does not offer {language}; it offers {}",
                        offered.join(", ")
                    ),
                )
            }
        }
        D::Unavailable { code, .. } => ProblemParts::new(
            StatusCode::SERVICE_UNAVAILABLE,
            code,
            "a service fairlink depends on is unavailable; try again shortly",
        ),
        D::RateLimited { retry_after, .. } => ProblemParts::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("too many requests from this address; try again in {retry_after} s"),
        ),
        D::Internal(_) => ProblemParts::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side",
        ),
    }
}

impl ApiError {
    fn parts(&self) -> ProblemParts {
        match self {
            ApiError::Domain(error) => domain_parts(error),
            ApiError::Unauthenticated { code, detail } => {
                ProblemParts::new(StatusCode::UNAUTHORIZED, code, detail.clone())
            }
            ApiError::MalformedJson(detail) => {
                ProblemParts::new(StatusCode::BAD_REQUEST, "malformed_json", detail.clone())
            }
            ApiError::PayloadTooLarge => ProblemParts::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "the request body is over 1 MiB",
            ),
            ApiError::RouteNotFound => {
                ProblemParts::new(StatusCode::NOT_FOUND, "not_found", "no such route")
            }
            ApiError::MethodNotAllowed => ProblemParts::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take this method",
            ),
            ApiError::UnsupportedMediaType(media) => ProblemParts::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("the body must be application/json, not {media}"),
            ),
            ApiError::PreconditionFailed => ProblemParts::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                "the resource changed since it was read (If-Match); read it again",
            ),
        }
    }

    pub fn problem(&self) -> Problem {
        let ProblemParts {
            status,
            code,
            detail,
            errors,
            languages,
        } = self.parts();
        Problem {
            kind: format!("urn:fairlink:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            code: code.into(),
            errors,
            languages,
        }
    }
}

pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        if problem.status >= 500 {
            // The detail of internal errors goes to the log only, never to the client.
            tracing::error!(code = %problem.code, error = %self, "request failed");
        } else {
            tracing::info!(code = %problem.code, status = problem.status, "request refused");
        }
        let mut response = problem_response(&problem);
        if let ApiError::Domain(DomainError::RateLimited {
            retry_after,
            standing,
        }) = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            crate::rate_headers::insert(response.headers_mut(), standing);
        }
        response
    }
}
