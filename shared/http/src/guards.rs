//! Callers checked before their body is read: an operation whose right depends only on who
//! calls and on the path answers 403 (or 404 for another tenant's exhibitor) to a caller
//! without it, whatever the body holds, instead of describing what is wrong with the body.
//! The services check the same again; these only move the refusal ahead of the body.

use std::collections::HashMap;

use axum::{
    extract::{FromRequestParts, Path},
    http::request::Parts,
};
use fairlink_domain::{
    DomainError,
    access::{require_main, require_role},
    model::{Account, Role},
};

use crate::{auth::Caller, problem::ApiError, state::AppState};

/// The caller, the main account of the exhibitor the path names (`{eid}`).
pub struct MainOf {
    pub caller: Account,
    pub eid: String,
}

impl FromRequestParts<AppState> for MainOf {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Caller(caller) = Caller::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::Domain(DomainError::NotFound("exhibitor")))?;
        let eid = params
            .get("eid")
            .cloned()
            .ok_or(ApiError::Domain(DomainError::NotFound("exhibitor")))?;
        require_main(&caller, &eid)?;
        Ok(Self { caller, eid })
    }
}

/// The caller, an organizer account.
pub struct Organizer(pub Account);

/// The caller, a buyer account.
pub struct Buyer(pub Account);

async fn caller_in_role(
    parts: &mut Parts,
    state: &AppState,
    role: Role,
) -> Result<Account, ApiError> {
    let Caller(caller) = Caller::from_request_parts(parts, state).await?;
    require_role(&caller, role)?;
    Ok(caller)
}

impl FromRequestParts<AppState> for Organizer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        caller_in_role(parts, state, Role::Organizer)
            .await
            .map(Self)
    }
}

impl FromRequestParts<AppState> for Buyer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        caller_in_role(parts, state, Role::Buyer).await.map(Self)
    }
}
