//! `FAIRLINK_AUTH=jwt`: the user pool's tokens verified as API Gateway's JWT authorizer
//! verifies them, with the keys fetched from the issuer (or the emulator) over HTTP.

use fairlink_aws::UserPool;
use fairlink_http::{HttpJwks, JwtVerifier};

use crate::config::JwtSettings;

/// The verifier of the configured (or bootstrapped) pool's tokens. `endpoint` is the
/// emulator's URL when there is one: moto serves each pool's keys at
/// `<endpoint>/<pool-id>/.well-known/jwks.json`.
pub fn jwt_verifier(
    settings: &JwtSettings,
    pool: Option<&UserPool>,
    endpoint: Option<&str>,
) -> Result<JwtVerifier, String> {
    let issuer = settings
        .issuer
        .clone()
        .or_else(|| pool.map(UserPool::issuer))
        .ok_or("FAIRLINK_AUTH=jwt needs FAIRLINK_JWT_ISSUER, a user pool (FAIRLINK_USER_POOL_ID) or FAIRLINK_BOOTSTRAP=1")?;
    let audiences = if settings.audiences.is_empty() {
        pool.map(|p| vec![p.client_id.clone()]).unwrap_or_default()
    } else {
        settings.audiences.clone()
    };
    if audiences.is_empty() {
        return Err("FAIRLINK_AUTH=jwt needs FAIRLINK_JWT_AUDIENCE (the app client ids)".into());
    }
    let url = match (&settings.jwks_url, pool, endpoint) {
        (Some(url), _, _) => url.clone(),
        (None, Some(pool), Some(endpoint)) => format!(
            "{}/{}/.well-known/jwks.json",
            endpoint.trim_end_matches('/'),
            pool.id
        ),
        _ => format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/')),
    };
    Ok(JwtVerifier::new(
        issuer,
        audiences,
        Box::new(HttpJwks::new(url)?),
    ))
}
