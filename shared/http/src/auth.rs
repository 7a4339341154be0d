//! Who is calling. A verified token names a sign-in identity (its `sub`) and, in an ID
//! token, the account it was made for (`custom:account_id`, an attribute written once by
//! fairlink that no user can change). The account item records the identity it signs in
//! as, so the request's one account read also proves the link: a token whose `sub` is not
//! the account's identity is refused whatever its claims say.
//!
//! - In Lambda, API Gateway's JWT authorizer has verified the token; the claims are in the
//!   request context.
//! - Locally with `FAIRLINK_AUTH=jwt`, [`JwtVerifier`] verifies them as that authorizer
//!   does (RS256 against the issuer's JWKS, `iss`, `aud` or `client_id`, `exp`).
//! - Locally by default, HS256 development tokens name the account directly.

#[cfg(feature = "http-jwks")]
mod http_jwks;
mod jwks;

use std::collections::HashSet;

use axum::{extract::FromRequestParts, http::request::Parts};
use chrono::{DateTime, Duration, Utc};
use fairlink_domain::{model::Account, ports::IdentitySubject};
use fairlink_store::Repository;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use lambda_http::request::RequestContext;
use serde::{Deserialize, Serialize};

#[cfg(feature = "http-jwks")]
pub use http_jwks::HttpJwks;
pub use jwks::{JwksSource, JwtVerifier, KEY_REFETCH_INTERVAL, StaticJwks};

use crate::{problem::ApiError, state::AppState};

pub const LOCAL_ISSUER: &str = "fairlink-local";
pub const LOCAL_AUDIENCE: &str = "fairlink";
/// The claim of an ID token that names the account: the user pool's immutable custom
/// attribute `account_id`, which the app client may read but not write.
pub const ACCOUNT_CLAIM: &str = "custom:account_id";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenClaims {
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// What a verified token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A development token: it names the account itself.
    Account(String),
    /// An identity provider's token: the identity, and the account it names, if it does.
    Identity {
        subject: IdentitySubject,
        account_id: Option<String>,
    },
}

pub enum Authenticator {
    /// Behind API Gateway's JWT authorizer: the claims are in the request context.
    ApiGateway,
    /// Local mode: HS256 tokens signed with the configured secret.
    Hs256(Box<Hs256Verifier>),
    /// Local mode with `FAIRLINK_AUTH=jwt`: the identity provider's RS256 tokens.
    Jwt(Box<JwtVerifier>),
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

pub(crate) fn unauthenticated(detail: &str) -> ApiError {
    ApiError::Unauthenticated {
        code: "unauthenticated",
        detail: detail.into(),
    }
}

fn unknown_identity() -> ApiError {
    ApiError::Unauthenticated {
        code: "unknown_identity",
        detail: "the token's identity does not sign in as any fairlink account".into(),
    }
}

/// The bearer token of the request.
pub(crate) fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthenticated("a bearer token is required"))?;
    header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| unauthenticated("the Authorization header must be `Bearer <token>`"))
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

    /// Who the request's verified token names.
    pub async fn principal(
        &self,
        parts: &Parts,
        now: DateTime<Utc>,
    ) -> Result<Principal, ApiError> {
        match self {
            Authenticator::ApiGateway => {
                let claims = match parts.extensions.get::<RequestContext>() {
                    Some(RequestContext::ApiGatewayV2(ctx)) => ctx
                        .authorizer
                        .as_ref()
                        .and_then(|a| a.jwt.as_ref())
                        .map(|jwt| &jwt.claims),
                    _ => None,
                };
                let claims = claims.ok_or_else(|| unauthenticated("a bearer token is required"))?;
                let subject = claims
                    .get("sub")
                    .filter(|sub| !sub.is_empty())
                    .ok_or_else(|| unauthenticated("the token has no subject"))?;
                Ok(Principal::Identity {
                    subject: IdentitySubject(subject.clone()),
                    account_id: claims.get(ACCOUNT_CLAIM).filter(|a| !a.is_empty()).cloned(),
                })
            }
            Authenticator::Hs256(_) | Authenticator::Jwt(_) => {
                self.principal_of_token(bearer(parts)?, now).await
            }
        }
    }

    /// Who a token given outside the Authorization header names (a WebSocket's `?token=`),
    /// verified as a bearer token is.
    pub async fn principal_of_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Principal, ApiError> {
        match self {
            // Only requests API Gateway has authorized carry claims; a bare token is not one.
            Authenticator::ApiGateway => Err(unauthenticated(
                "this deployment verifies tokens in API Gateway only",
            )),
            Authenticator::Hs256(verifier) => {
                let claims =
                    jsonwebtoken::decode::<TokenClaims>(token, &verifier.key, &verifier.validation)
                        .map_err(|_| unauthenticated("the token is not valid"))?
                        .claims;
                if claims.exp <= now.timestamp() {
                    return Err(unauthenticated("the token has expired"));
                }
                Ok(Principal::Account(claims.sub))
            }
            Authenticator::Jwt(verifier) => verifier.verify(token, now).await,
        }
    }
}

/// The active account a verified principal signs in as: one read for an ID token or a
/// development token, two for an access token (which names only the identity).
pub async fn signed_in_account(
    repo: &Repository,
    principal: Principal,
) -> Result<Account, ApiError> {
    let account = match principal {
        Principal::Account(id) => repo.account(&id).await?,
        Principal::Identity {
            subject,
            account_id,
        } => {
            let account_id = match account_id {
                Some(id) => Some(id),
                None => repo.account_of_identity(&subject).await?,
            };
            let signed_in = match account_id {
                Some(id) => repo.signed_in_account(&id).await?,
                None => None,
            };
            signed_in
                .filter(|s| s.identity.as_ref() == Some(&subject))
                .map(|s| s.account)
        }
    };
    let account = account.ok_or_else(unknown_identity)?;
    if !account.active {
        return Err(ApiError::Unauthenticated {
            code: "account_deactivated",
            detail: "this account has been deactivated".into(),
        });
    }
    Ok(account)
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
        let principal = state.auth.principal(parts, state.now()).await?;
        Ok(Caller(signed_in_account(&state.repo, principal).await?))
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

    #[tokio::test]
    async fn verifies_signature_and_expiry_against_the_given_time() {
        let auth = Authenticator::hs256(b"secret");
        let now: DateTime<Utc> = "2021-04-15T08:00:00Z".parse().unwrap();
        let token = issue_token(b"secret", "acc_1", now, Duration::hours(1));
        assert_eq!(
            auth.principal(&parts(&token), now).await.unwrap(),
            Principal::Account("acc_1".into())
        );
        assert!(
            auth.principal(&parts(&token), now + Duration::hours(2))
                .await
                .is_err()
        );
        let forged = issue_token(b"other", "acc_1", now, Duration::hours(1));
        assert!(auth.principal(&parts(&forged), now).await.is_err());
    }

    #[tokio::test]
    async fn refuses_unsigned_tokens() {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"organizer","iss":"fairlink-local","aud":"fairlink","iat":0,"exp":99999999999}"#);
        let auth = Authenticator::hs256(b"secret");
        assert!(
            auth.principal(&parts(&format!("{header}.{body}.")), Utc::now())
                .await
                .is_err()
        );
    }
}
