//! The HTTP layer every feature shares: authentication, problem+json errors, JSON and query
//! extraction with field errors, the body limit, list pages, `Idempotency-Key`, request ids
//! and JSON logs, `/health` and `/openapi.json`.

mod app;
pub mod auth;
mod extract;
mod idempotency;
mod list;
pub mod observability;
mod problem;
mod state;

pub use app::{BODY_LIMIT, api, lambda_main};
pub use auth::{Authenticator, Caller, TokenClaims, issue_token};
pub use extract::{Json, Query};
pub use list::{ListParams, ListResponse, nullable, page_request};
pub use problem::{ApiError, ApiResult, Problem};
pub use state::AppState;
