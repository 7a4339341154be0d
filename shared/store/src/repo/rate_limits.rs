//! Rate-limit windows: one counter per (scope, client, window), counted with a conditional
//! update, so concurrent requests on every Lambda share one count.

use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    ports::{Change, Condition, Key, attr},
    rate_limit::{RateLimit, RateStanding, RateWindow},
};
use serde_json::json;

use super::Repository;
use crate::keys;

impl Repository {
    /// Counts one request of `client` in `scope`, answering where it now stands, or that
    /// the window is full (the request is not counted).
    pub async fn take_rate_slot(
        &self,
        scope: &str,
        client: &str,
        limit: RateLimit,
        now: DateTime<Utc>,
    ) -> Result<RateWindow, DomainError> {
        let window_start = limit.window_start(now);
        let key = Key::new(keys::rate_window(scope, client, window_start), keys::RATE);
        let expires = window_start + i64::from(limit.window_seconds);
        let under_limit = Condition::Or(vec![
            Condition::AttrNotExists("count".into()),
            Condition::LessThan("count".into(), json!(limit.max)),
        ]);
        let changes = vec![
            Change::Add("count".into(), 1),
            Change::Set(attr::TTL.into(), json!(expires)),
        ];
        let standing = |remaining: u32| RateStanding {
            policy: scope.to_string(),
            limit,
            remaining,
            reset_seconds: limit.retry_after(now),
        };
        match self.store().update(&key, changes, Some(under_limit)).await {
            Ok(item) => {
                let count = item.get("count").and_then(|c| c.as_u64()).unwrap_or(0);
                let count = u32::try_from(count).unwrap_or(u32::MAX);
                Ok(RateWindow::Counted(standing(
                    limit.max.saturating_sub(count),
                )))
            }
            Err(err) if err.is_condition_failed() => Ok(RateWindow::Full(standing(0))),
            Err(err) => Err(err.into()),
        }
    }
}
