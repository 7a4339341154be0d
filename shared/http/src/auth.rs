//! Who is calling. In Lambda, API Gateway's JWT authorizer has verified the token and the
//! function reads its `sub` claim; locally, the server verifies HS256 tokens itself. Either
//! way the account (role, exhibitor, permissions) then comes from the store.

use std::collections::HashSet;

use axum::{extract::FromRequestParts, http::request::Parts};
use chrono::{DateTime, Duration, Utc};
use fairlink_domain::{DomainError, model::Account};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lambda_http::request::RequestContext;
use serde::{Deserialize, Serialize};

use crate::{problem::ApiError, state::AppState};

pub const LOCAL_ISSUER: &str = "fairlink-local";
pub const LOCAL_AUDIENCE: &str = "fairlink";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenClaims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

pub enum Authenticator {
    /// Behind API Gateway's JWT authorizer: the claims are in the request context.
    ApiGateway,
    /// Local mode: HS256 tokens signed with the configured secret.
    Hs256(Box<Hs256Verifier>),
}

pub struct Hs256Verifier {
    key: DecodingKey,
    validation: Validation,
}

/// Signs a local-mode token for an account (the dev token endpoint and tests use it).
pub fn issue_token(secret: &[u8], sub: &str, now: DateTime<Utc>, ttl: Duration) -> String {
    let claims = TokenClaims {
        sub: sub.into(),
        iss: LOCAL_ISSUER.into(),
        aud: LOCAL_AUDIENCE.into(),
        iat: now.timestamp(),
        exp: (now + ttl).timestamp(),
    };
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap_or_default()
}

fn unauthenticated(detail: &str) -> ApiError {
    ApiError::Unauthenticated(detail.into())
}

impl Authenticator {
    pub fn hs256(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[LOCAL_ISSUER]);
        validation.set_audience(&[LOCAL_AUDIENCE]);
        // Expiry is checked against the clock port below, so the test clock governs it too.
        validation.validate_exp = false;
        validation.required_spec_claims =
            HashSet::from(["exp", "sub", "iss", "aud"].map(String::from));
        Self::Hs256(Box::new(Hs256Verifier {
            key: DecodingKey::from_secret(secret),
            validation,
        }))
    }

    /// The verified account id of the request.
    pub fn subject(&self, parts: &Parts, now: DateTime<Utc>) -> Result<String, ApiError> {
        match self {
            Authenticator::ApiGateway => match parts.extensions.get::<RequestContext>() {
                Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                    .authorizer
                    .as_ref()
                    .and_then(|a| a.jwt.as_ref())
                    .and_then(|jwt| jwt.claims.get("sub"))
                    .filter(|sub| !sub.is_empty())
                    .cloned()
                    .ok_or_else(|| unauthenticated("a bearer token is required")),
                _ => Err(unauthenticated("a bearer token is required")),
            },
            Authenticator::Hs256(verifier) => {
                let header = parts
                    .headers
                    .get(axum::http::header::AUTHORIZATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| unauthenticated("a bearer token is required"))?;
                let token = header
                    .strip_prefix("Bearer ")
                    .or_else(|| header.strip_prefix("bearer "))
                    .ok_or_else(|| {
                        unauthenticated("the Authorization header must be `Bearer <token>`")
                    })?;
                let claims = jsonwebtoken::decode::<TokenClaims>(
                    token.trim(),
                    &verifier.key,
                    &verifier.validation,
                )
                .map_err(|_| unauthenticated("the token is not valid"))?
                .claims;
                if claims.exp <= now.timestamp() {
                    return Err(unauthenticated("the token has expired"));
                }
                Ok(claims.sub)
            }
        }
    }
}

/// The calling account, loaded from the store.
#[derive(Debug, Clone)]
pub struct Caller(pub Account);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let subject = state.auth.subject(parts, state.now())?;
        let account = state
            .repo
            .account(&subject)
            .await?
            .ok_or_else(|| unauthenticated("the token's account does not exist"))?;
        if !account.active {
            return Err(DomainError::forbidden("this account has been deactivated").into());
        }
        Ok(Caller(account))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(token: &str) -> Parts {
        let request = axum::http::Request::builder()
            .header("authorization", format!("Bearer {token}"))
            .body(())
            .unwrap();
        request.into_parts().0
    }

    #[test]
    fn verifies_signature_and_expiry_against_the_given_time() {
        let auth = Authenticator::hs256(b"secret");
        let now: DateTime<Utc> = "2021-04-15T08:00:00Z".parse().unwrap();
        let token = issue_token(b"secret", "acc_1", now, Duration::hours(1));
        assert_eq!(auth.subject(&parts(&token), now).unwrap(), "acc_1");
        assert!(
            auth.subject(&parts(&token), now + Duration::hours(2))
                .is_err()
        );
        let forged = issue_token(b"other", "acc_1", now, Duration::hours(1));
        assert!(auth.subject(&parts(&forged), now).is_err());
    }

    #[test]
    fn refuses_unsigned_tokens() {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"organizer","iss":"fairlink-local","aud":"fairlink","iat":0,"exp":99999999999}"#);
        let auth = Authenticator::hs256(b"secret");
        assert!(
            auth.subject(&parts(&format!("{header}.{body}.")), Utc::now())
                .is_err()
        );
    }
}
