//! Fetching the issuer's keys over HTTPS (fairlink-local with `FAIRLINK_AUTH=jwt`, and the
//! WebSocket connect function, which verifies its token itself).

use async_trait::async_trait;
use jsonwebtoken::jwk::JwkSet;

use super::JwksSource;

/// The issuer's `/.well-known/jwks.json`, fetched with a bounded wait.
pub struct HttpJwks {
    url: String,
    client: reqwest::Client,
}

impl HttpJwks {
    /// The keys at `url`, each fetch waiting at most five seconds.
    pub fn new(url: String) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self { url, client })
    }
}

#[async_trait]
impl JwksSource for HttpJwks {
    async fn fetch(&self) -> Result<JwkSet, String> {
        let answer = self
            .client
            .get(&self.url)
            .send()
            .await
            .map_err(|e| format!("{}: {e}", self.url))?;
        if !answer.status().is_success() {
            return Err(format!("{}: {}", self.url, answer.status()));
        }
        answer
            .json::<JwkSet>()
            .await
            .map_err(|e| format!("{}: {e}", self.url))
    }
}
