//! Idempotency records: the first response to a create call with an `Idempotency-Key`,
//! kept for a day so a retried request gets it again instead of creating twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    ports::{Change, Condition, Key, attr},
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Repository;
use crate::{codec, keys};

pub const IDEMPOTENCY_TTL: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyReservation {
    /// The key is new: go ahead, then `complete` (or `release` on a server error).
    Reserved,
    /// The same request was answered before: answer the same.
    Replay(StoredResponse),
    /// The same key came with another request.
    Mismatch,
    /// The same request is being processed right now.
    InProgress,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    request_hash: String,
    response: Option<StoredResponse>,
    expires_at: i64,
}

fn record_key(scope: &str, key: &str) -> Key {
    Key::new(keys::idempotency(scope, key), keys::IDEM)
}

impl Repository {
    pub async fn reserve_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyReservation, DomainError> {
        let record_key = record_key(scope, key);
        let expires_at = now.timestamp() + IDEMPOTENCY_TTL.as_secs() as i64;
        let mut item = codec::to_item(
            &record_key,
            "Idempotency",
            &json!({"requestHash": request_hash, "expiresAt": expires_at}),
        );
        item.insert(attr::TTL.into(), json!(expires_at));
        // A record past its expiry may still be there (stores delete expired items late).
        let free = Condition::Or(vec![
            Condition::NotExists,
            Condition::LessThan("expiresAt".into(), json!(now.timestamp())),
        ]);
        match self.store().put(item, Some(free)).await {
            Ok(()) => return Ok(IdempotencyReservation::Reserved),
            Err(err) if err.is_condition_failed() => {}
            Err(err) => return Err(err.into()),
        }
        let Some(existing) = self.store().get(&record_key).await? else {
            // Released between our write and our read: the caller may retry.
            return Ok(IdempotencyReservation::InProgress);
        };
        let record: Record = codec::from_item(existing)?;
        Ok(match record.response {
            _ if record.request_hash != request_hash => IdempotencyReservation::Mismatch,
            Some(response) if record.expires_at >= now.timestamp() => {
                IdempotencyReservation::Replay(response)
            }
            _ => IdempotencyReservation::InProgress,
        })
    }

    pub async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), DomainError> {
        let response =
            serde_json::to_value(response).map_err(|e| DomainError::Internal(e.to_string()))?;
        self.store()
            .update(
                &record_key(scope, key),
                vec![Change::Set("response".into(), response)],
                Some(Condition::Exists),
            )
            .await?;
        Ok(())
    }

    /// Forgets a reservation whose request failed on our side, so a retry can run.
    pub async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<(), DomainError> {
        let unanswered = Condition::AttrNotExists("response".into());
        match self
            .store()
            .delete(&record_key(scope, key), Some(unanswered))
            .await
        {
            Err(err) if !err.is_condition_failed() => Err(err.into()),
            _ => Ok(()),
        }
    }
}
