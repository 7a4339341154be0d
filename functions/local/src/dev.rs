//! Development endpoints, mounted only in local mode (never in AWS) unless FAIRLINK_DEV=0.

use std::sync::Arc;

use axum::{Extension, extract::State};
use chrono::{DateTime, Duration, Utc};
use fairlink_domain::DomainError;
use fairlink_embedded::TestClock;
use fairlink_http::{
    ApiResult, AppState, Json, ListResponse, Problem, Query, issue_token, page_request,
};
use fairlink_store::OutboxEntry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

#[derive(Clone)]
struct DevContext {
    secret: Arc<String>,
    /// False with `FAIRLINK_AUTH=jwt`: only the identity provider's tokens are accepted.
    tokens_enabled: bool,
    clock: Option<Arc<TestClock>>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct TokenRequest {
    account_id: String,
}

impl fairlink_domain::validate::Validate for TokenRequest {}

#[derive(Debug, Serialize, ToSchema)]
struct TokenResponse {
    token: String,
}

/// A token for any existing account, valid for 24 hours of the server's clock.
#[utoipa::path(post, path = "/v1/dev/tokens", tag = "dev", security(()), request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "dev_tokens_off: FAIRLINK_AUTH=jwt")))]
async fn create_token(
    State(state): State<AppState>,
    Extension(dev): Extension<DevContext>,
    Json(input): Json<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    if !dev.tokens_enabled {
        return Err(DomainError::conflict(
            "dev_tokens_off",
            "FAIRLINK_AUTH=jwt: sign in through the user pool (GET /v1/auth/config)",
        )
        .into());
    }
    state
        .repo
        .account(&input.account_id)
        .await?
        .ok_or(DomainError::NotFound("account"))?;
    let token = issue_token(
        dev.secret.as_bytes(),
        &input.account_id,
        state.now(),
        Duration::days(30),
    );
    Ok(Json(TokenResponse { token }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct OutboxParams {
    limit: Option<usize>,
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct OutboxItem {
    /// `email` or `sms`.
    channel: String,
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    body: String,
    /// An email's HTML part (its `lang` and `dir` say how it reads).
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    #[serde(with = "fairlink_domain::time::millis")]
    sent_at: DateTime<Utc>,
}

impl From<OutboxEntry> for OutboxItem {
    fn from(e: OutboxEntry) -> Self {
        Self {
            channel: e.channel,
            to: e.to,
            subject: e.subject,
            body: e.body,
            html: e.html,
            sent_at: e.sent_at,
        }
    }
}

/// Emails and SMS the embedded adapters sent, oldest first.
#[utoipa::path(get, path = "/v1/dev/outbox", tag = "dev", security(()), params(OutboxParams),
    responses((status = 200, body = ListResponse<OutboxItem>)))]
async fn outbox(
    State(state): State<AppState>,
    Query(params): Query<OutboxParams>,
) -> ApiResult<Json<ListResponse<OutboxItem>>> {
    let page = page_request(params.limit, params.cursor)?;
    Ok(Json(
        state.repo.outbox(&page).await?.map(OutboxItem::from).into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    now: Option<DateTime<Utc>>,
    advance_seconds: Option<i64>,
}

impl fairlink_domain::validate::Validate for ClockRequest {}

#[derive(Debug, Serialize, ToSchema)]
struct ClockResponse {
    #[serde(with = "fairlink_domain::time::millis")]
    now: DateTime<Utc>,
}

/// Moves the test clock: to `now`, or forward by `advanceSeconds` (only with FAIRLINK_TEST_CLOCK=1).
#[utoipa::path(post, path = "/v1/dev/clock", tag = "dev", security(()), request_body = ClockRequest,
    responses((status = 200, body = ClockResponse), (status = 409, body = Problem), (status = 422, body = Problem), (status = 503, body = Problem, description = "test_clock_unsaved: moved, but not kept for a restart")))]
async fn move_clock(
    Extension(dev): Extension<DevContext>,
    Json(input): Json<ClockRequest>,
) -> ApiResult<Json<ClockResponse>> {
    let clock = dev.clock.ok_or_else(|| {
        DomainError::conflict(
            "test_clock_off",
            "the server was not started with FAIRLINK_TEST_CLOCK=1",
        )
    })?;
    let now = match (input.now, input.advance_seconds) {
        (Some(now), None) if fairlink_domain::validate::instant_in_range(now) => {
            clock.set(now);
            now
        }
        (Some(_), None) => {
            return Err(DomainError::field("now", "must be a time from 1970 to 9999").into());
        }
        (None, Some(seconds)) if seconds.abs() <= 10 * 365 * 24 * 3600 => {
            clock.advance(Duration::seconds(seconds))
        }
        (None, Some(_)) => {
            return Err(DomainError::field("advanceSeconds", "must be within ten years").into());
        }
        _ => {
            return Err(
                DomainError::field("now", "give exactly one of now and advanceSeconds").into(),
            );
        }
    };
    clock.save().map_err(|e| DomainError::Unavailable {
        code: "test_clock_unsaved",
        detail: format!("the clock moved but could not be kept for a restart: {e}"),
    })?;
    Ok(Json(ClockResponse { now }))
}

/// The dev endpoints; `POST /v1/dev/tokens` issues tokens only where they are accepted
/// (`FAIRLINK_AUTH=dev`).
pub fn routes(
    secret: &str,
    auth: &crate::AuthMode,
    clock: Option<Arc<TestClock>>,
) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_token))
        .routes(routes!(outbox))
        .routes(routes!(move_clock))
        .layer(Extension(DevContext {
            secret: Arc::new(secret.to_string()),
            tokens_enabled: *auth == crate::AuthMode::Dev,
            clock,
        }))
}
