//! The HTTP layer every feature shares: authentication, problem+json errors, JSON and query
//! extraction with field errors, the body limit, list pages, `Idempotency-Key`, request ids
//! and JSON logs, `/health` and `/openapi.json`.

mod app;
pub mod auth;
pub mod client;
pub mod conditional;
mod document;
mod extract;
pub mod guards;
mod idempotency;
mod list;
pub mod observability;
mod problem;
pub mod rate_headers;
pub mod state;

pub use app::{BODY_LIMIT, api, api_documented, lambda_main, openapi_document};
#[cfg(feature = "http-jwks")]
pub use auth::HttpJwks;
pub use auth::{
    Authenticator, Caller, JwksSource, JwtVerifier, Principal, TokenClaims, issue_token,
};
pub use client::ClientAddress;
pub use extract::{Json, JsonLater, Query};
pub use list::{ListParams, ListResponse, nullable, page_request};
pub use problem::{ApiError, ApiResult, Problem};
pub use state::AppState;
