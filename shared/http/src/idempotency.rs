//! `Idempotency-Key` on create calls: the same key with the same request returns the first
//! response again; with another request, 422 `idempotency_key_reused`.

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use fairlink_domain::DomainError;
use fairlink_store::{IdempotencyReservation, StoredResponse};
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::{
    app::{BODY_LIMIT, within_deadline},
    problem::ApiError,
    state::AppState,
};

pub const HEADER: &str = "idempotency-key";

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The middleware. Every request it passes on runs within the request deadline
/// (`within_deadline`): a keyed request that timed out answers 503 and releases its key.
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || !request.headers().contains_key(HEADER) {
        return within_deadline(&state, next.run(request)).await;
    }
    let key = match request.headers().get(HEADER).and_then(|v| v.to_str().ok()) {
        Some(key) if valid_key(key) => key.to_string(),
        _ => {
            let err = DomainError::field(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            );
            return ApiError::from(err).into_response();
        }
    };
    let (parts, body) = request.into_parts();
    // Keys are per caller. A request whose token does not verify is refused by its handler.
    let scope = match state.auth.principal(&parts, state.now()).await {
        Ok(Principal::Account(id)) => id,
        Ok(Principal::Identity { subject, .. }) => subject.0,
        Err(_) if !parts.headers.contains_key(header::AUTHORIZATION) => "anonymous".to_string(),
        Err(_) => return within_deadline(&state, next.run(Request::from_parts(parts, body))).await,
    };
    let Ok(bytes) = to_bytes(body, BODY_LIMIT).await else {
        return ApiError::PayloadTooLarge.into_response();
    };
    let mut hasher = Sha256::new();
    hasher.update(parts.method.as_str());
    hasher.update(parts.uri.path());
    hasher.update(&bytes);
    let hash = format!("{:x}", hasher.finalize());

    let reservation = state
        .repo
        .reserve_idempotency_key(&scope, &key, &hash, state.now())
        .await;
    match reservation {
        Err(err) => ApiError::from(err).into_response(),
        Ok(IdempotencyReservation::Replay(stored)) => replay(stored),
        Ok(IdempotencyReservation::Mismatch) => ApiError::from(DomainError::Unprocessable {
            code: "idempotency_key_reused",
            detail: "this Idempotency-Key was used with another request".into(),
        })
        .into_response(),
        Ok(IdempotencyReservation::InProgress) => ApiError::from(DomainError::conflict(
            "idempotency_key_in_use",
            "a request with this Idempotency-Key is still being processed",
        ))
        .into_response(),
        Ok(IdempotencyReservation::Reserved) => {
            let request = Request::from_parts(parts, Body::from(bytes));
            let response = within_deadline(&state, next.run(request)).await;
            remember(&state, &scope, &key, response).await
        }
    }
}

async fn remember(state: &AppState, scope: &str, key: &str, response: Response) -> Response {
    if response.status().is_server_error() {
        if let Err(err) = state.repo.release_idempotency_key(scope, key).await {
            tracing::warn!(error = %err, "could not release an idempotency key");
        }
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = match to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let _ = state.repo.release_idempotency_key(scope, key).await;
            return ApiError::from(DomainError::Internal(err.to_string())).into_response();
        }
    };
    let stored = StoredResponse {
        status: parts.status.as_u16(),
        content_type: parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(String::from),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    if let Err(err) = state
        .repo
        .complete_idempotency_key(scope, key, &stored)
        .await
    {
        tracing::warn!(error = %err, "could not store an idempotent response");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(stored: StoredResponse) -> Response {
    let status = axum::http::StatusCode::from_u16(stored.status).unwrap_or_default();
    let mut response = (status, stored.body).into_response();
    if let Some(content_type) = stored
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    response
        .headers_mut()
        .insert("idempotency-replayed", HeaderValue::from_static("true"));
    response
}
