//! RS256 tokens of an identity provider, verified as API Gateway's JWT authorizer does:
//! the signature against the issuer's published keys (JWKS), `iss`, `aud` (ID tokens) or
//! `client_id` (access tokens) among the accepted audiences, `exp` and `nbf` with a small
//! clock skew. Keys are cached; a token signed with a key not in the cache (a rotation)
//! fetches them again, at most once per [`KEY_REFETCH_INTERVAL`], so a stream of tokens
//! with made-up key ids cannot make fairlink hammer the issuer.

use std::{
    collections::HashMap,
    time::{Duration as StdDuration, Instant},
};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fairlink_domain::{DomainError, ports::IdentitySubject};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, jwk::JwkSet};
use serde::Deserialize;
use tokio::sync::Mutex;

use super::{Principal, unauthenticated};
use crate::problem::ApiError;

/// The shortest time between two fetches of the keys.
pub const KEY_REFETCH_INTERVAL: StdDuration = StdDuration::from_secs(30);
/// Clock skew allowed on `exp` and `nbf`.
const LEEWAY_SECONDS: i64 = 30;

/// Where the issuer's keys come from (its `/.well-known/jwks.json`).
#[async_trait]
pub trait JwksSource: Send + Sync {
    async fn fetch(&self) -> Result<JwkSet, String>;
}

/// Keys known in advance (tests).
pub struct StaticJwks(pub std::sync::Mutex<JwkSet>);

#[async_trait]
impl JwksSource for StaticJwks {
    async fn fetch(&self) -> Result<JwkSet, String> {
        Ok(self.0.lock().map_err(|e| e.to_string())?.clone())
    }
}

struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
    fetches: u64,
    /// Why the latest fetch failed: until the next one (bounded like any), a token with an
    /// unknown key answers 503, not 401.
    failure: Option<String>,
}

pub struct JwtVerifier {
    issuer: String,
    audiences: Vec<String>,
    source: Box<dyn JwksSource>,
    cache: Mutex<KeyCache>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct ProviderClaims {
    sub: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    client_id: Option<String>,
    /// [`super::ACCOUNT_CLAIM`].
    #[serde(default, rename = "custom:account_id")]
    account_id: Option<String>,
}

impl JwtVerifier {
    pub fn new(issuer: String, audiences: Vec<String>, source: Box<dyn JwksSource>) -> Self {
        Self {
            issuer,
            audiences,
            source,
            cache: Mutex::new(KeyCache {
                keys: HashMap::new(),
                fetched_at: None,
                fetches: 0,
                failure: None,
            }),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// How often the keys were fetched (the bound on refetching is tested with it).
    pub async fn key_fetches(&self) -> u64 {
        self.cache.lock().await.fetches
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, ApiError> {
        let mut cache = self.cache.lock().await;
        if let Some(key) = cache.keys.get(kid) {
            return Ok(key.clone());
        }
        let may_fetch = cache
            .fetched_at
            .is_none_or(|at| at.elapsed() >= KEY_REFETCH_INTERVAL);
        if may_fetch {
            cache.fetched_at = Some(Instant::now());
            cache.fetches += 1;
            match self.source.fetch().await {
                Ok(set) => {
                    cache.failure = None;
                    cache.keys = set
                        .keys
                        .iter()
                        .filter_map(|jwk| {
                            let kid = jwk.common.key_id.clone()?;
                            DecodingKey::from_jwk(jwk).ok().map(|key| (kid, key))
                        })
                        .collect();
                }
                Err(err) => {
                    tracing::warn!(error = %err, issuer = %self.issuer, "fetching the issuer's keys failed");
                    cache.failure = Some(err);
                }
            }
        }
        match (cache.keys.get(kid), &cache.failure) {
            (Some(key), _) => Ok(key.clone()),
            // Not the token's fault: a 503, so that a client does not sign its user out.
            (None, Some(err)) => Err(DomainError::Unavailable {
                code: "identity_unavailable",
                detail: format!("the issuer's keys could not be fetched: {err}"),
            }
            .into()),
            (None, None) => Err(unauthenticated(
                "the token is not signed by a key of the issuer",
            )),
        }
    }

    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Principal, ApiError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauthenticated("the token is not valid"))?;
        if header.alg != Algorithm::RS256 {
            return Err(unauthenticated("the token must be signed with RS256"));
        }
        let kid = header
            .kid
            .ok_or_else(|| unauthenticated("the token names no signing key"))?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.issuer]);
        // Audience, expiry and not-before are checked below: ID tokens carry `aud`, access
        // tokens `client_id`, and the clock port (a test clock too) governs time.
        validation.validate_aud = false;
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.required_spec_claims = ["exp", "sub", "iss"]
            .into_iter()
            .map(String::from)
            .collect();
        let claims = jsonwebtoken::decode::<ProviderClaims>(token, &key, &validation)
            .map_err(|_| unauthenticated("the token is not valid"))?
            .claims;
        let audiences: Vec<&str> = match &claims.aud {
            Some(Audience::One(aud)) => vec![aud.as_str()],
            Some(Audience::Many(auds)) => auds.iter().map(String::as_str).collect(),
            None => vec![],
        };
        let accepted = audiences
            .into_iter()
            .chain(claims.client_id.as_deref())
            .any(|aud| self.audiences.iter().any(|a| a == aud));
        if !accepted {
            return Err(unauthenticated("the token is not meant for this API"));
        }
        let now = now.timestamp();
        if claims.exp + LEEWAY_SECONDS <= now {
            return Err(unauthenticated("the token has expired"));
        }
        if claims.nbf.is_some_and(|nbf| nbf - LEEWAY_SECONDS > now) {
            return Err(unauthenticated("the token is not valid yet"));
        }
        if claims.sub.is_empty() {
            return Err(unauthenticated("the token has no subject"));
        }
        Ok(Principal::Identity {
            subject: IdentitySubject(claims.sub),
            account_id: claims.account_id.filter(|a| !a.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_test";
    const CLIENT: &str = "client-web";

    fn jwks(name: &str) -> JwkSet {
        let text = match name {
            "a" => include_str!("../../testdata/jwks-a.json"),
            _ => include_str!("../../testdata/jwks-b.json"),
        };
        serde_json::from_str(text).unwrap()
    }

    fn sign(key: &str, claims: serde_json::Value) -> String {
        let pem = match key {
            "a" => include_str!("../../testdata/rsa-a.pem"),
            _ => include_str!("../../testdata/rsa-b.pem"),
        };
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(format!("key-{key}"));
        jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    struct Shared(Arc<StaticJwks>);
    #[async_trait]
    impl JwksSource for Shared {
        async fn fetch(&self) -> Result<JwkSet, String> {
            self.0.fetch().await
        }
    }

    fn verifier(keys: &str) -> (JwtVerifier, Arc<StaticJwks>) {
        let source = Arc::new(StaticJwks(std::sync::Mutex::new(jwks(keys))));
        let verifier = JwtVerifier::new(
            ISSUER.into(),
            vec![CLIENT.into()],
            Box::new(Shared(source.clone())),
        );
        (verifier, source)
    }

    fn now() -> DateTime<Utc> {
        "2027-04-15T08:00:00Z".parse().unwrap()
    }

    fn id_token_claims() -> serde_json::Value {
        let now = now().timestamp();
        json!({"sub": "5f1c-uuid", "iss": ISSUER, "aud": CLIENT, "token_use": "id",
               "iat": now, "exp": now + 3600, "custom:account_id": "acc_1"})
    }

    #[tokio::test]
    async fn an_id_token_names_its_identity_and_account() {
        let (verifier, _) = verifier("a");
        let principal = verifier
            .verify(&sign("a", id_token_claims()), now())
            .await
            .unwrap();
        assert_eq!(
            principal,
            Principal::Identity {
                subject: IdentitySubject("5f1c-uuid".into()),
                account_id: Some("acc_1".into())
            }
        );
    }

    #[tokio::test]
    async fn an_access_token_is_accepted_by_its_client_id() {
        let (verifier, _) = verifier("a");
        let now_s = now().timestamp();
        let claims = json!({"sub": "5f1c-uuid", "iss": ISSUER, "client_id": CLIENT,
                            "token_use": "access", "iat": now_s, "exp": now_s + 3600});
        let principal = verifier.verify(&sign("a", claims), now()).await.unwrap();
        assert_eq!(
            principal,
            Principal::Identity {
                subject: IdentitySubject("5f1c-uuid".into()),
                account_id: None
            }
        );
    }

    #[tokio::test]
    async fn refuses_other_issuers_audiences_keys_and_times() {
        let (verifier, _) = verifier("a");
        let with = |change: &dyn Fn(&mut serde_json::Value)| {
            let mut claims = id_token_claims();
            change(&mut claims);
            sign("a", claims)
        };
        let cases = [
            (
                "another pool",
                with(&|c| c["iss"] = json!(format!("{ISSUER}x"))),
            ),
            (
                "another client",
                with(&|c| c["aud"] = json!("other-client")),
            ),
            (
                "expired",
                with(&|c| c["exp"] = json!(now().timestamp() - 31)),
            ),
            (
                "not yet valid",
                with(&|c| c["nbf"] = json!(now().timestamp() + 120)),
            ),
            ("signed by another key", sign("b", id_token_claims())),
        ];
        for (what, token) in cases {
            assert!(
                verifier.verify(&token, now()).await.is_err(),
                "{what} was accepted"
            );
        }
        // Within the clock skew, an expiry just past is still accepted.
        let token = with(&|c| c["exp"] = json!(now().timestamp() - 5));
        assert!(verifier.verify(&token, now()).await.is_ok());
    }

    #[tokio::test]
    async fn refuses_unsigned_and_symmetric_tokens() {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let (verifier, _) = verifier("a");
        let body = URL_SAFE_NO_PAD.encode(id_token_claims().to_string());
        for header in [
            json!({"alg": "none", "kid": "key-a"}),
            json!({"alg": "HS256", "kid": "key-a"}),
        ] {
            let header = URL_SAFE_NO_PAD.encode(header.to_string());
            let token = format!("{header}.{body}.");
            assert!(verifier.verify(&token, now()).await.is_err());
        }
        // An HS256 token keyed with the public key's bytes (the classic confusion).
        let public = include_str!("../../testdata/jwks-a.json");
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("key-a".into());
        let token = jsonwebtoken::encode(
            &header,
            &id_token_claims(),
            &EncodingKey::from_secret(public.as_bytes()),
        )
        .unwrap();
        assert!(verifier.verify(&token, now()).await.is_err());
    }

    struct Unreachable;
    #[async_trait]
    impl JwksSource for Unreachable {
        async fn fetch(&self) -> Result<JwkSet, String> {
            Err("connection refused".into())
        }
    }

    #[tokio::test]
    async fn an_unreachable_issuer_is_a_503_not_a_401() {
        let verifier = JwtVerifier::new(ISSUER.into(), vec![CLIENT.into()], Box::new(Unreachable));
        for _ in 0..3 {
            let err = verifier
                .verify(&sign("a", id_token_claims()), now())
                .await
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    ApiError::Domain(DomainError::Unavailable {
                        code: "identity_unavailable",
                        ..
                    })
                ),
                "{err:?}"
            );
        }
        // Asked once, not once per token.
        assert_eq!(verifier.key_fetches().await, 1);
    }

    async fn accepts(verifier: &JwtVerifier, key: &str) -> bool {
        verifier
            .verify(&sign(key, id_token_claims()), now())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn a_rotated_key_is_fetched_once_and_unknown_keys_are_not_refetched_at_once() {
        let (verifier, source) = verifier("a");
        assert!(accepts(&verifier, "a").await);
        assert_eq!(verifier.key_fetches().await, 1);
        // Cached: no fetch for the next token.
        assert!(accepts(&verifier, "a").await);
        assert_eq!(verifier.key_fetches().await, 1);
        // The issuer rotates to key b: within the refetch interval a token of b is refused
        // without asking the issuer again (bounded), after it the new key is fetched.
        *source.0.lock().unwrap() = jwks("b");
        assert!(!accepts(&verifier, "b").await);
        assert_eq!(verifier.key_fetches().await, 1);
        verifier.cache.lock().await.fetched_at =
            Some(Instant::now() - KEY_REFETCH_INTERVAL - StdDuration::from_secs(1));
        assert!(accepts(&verifier, "b").await);
        assert_eq!(verifier.key_fetches().await, 2);
        // A flood of made-up key ids costs no more fetches.
        for _ in 0..20 {
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some("made-up".into());
            let token = jsonwebtoken::encode(
                &header,
                &id_token_claims(),
                &EncodingKey::from_rsa_pem(include_str!("../../testdata/rsa-a.pem").as_bytes())
                    .unwrap(),
            )
            .unwrap();
            assert!(verifier.verify(&token, now()).await.is_err());
        }
        assert_eq!(verifier.key_fetches().await, 2);
    }
}
