//! The messages the features put on the worker queues.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{
    DomainError,
    ports::{JobQueue, QueueName},
};

/// Work for the matcher worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum MatchJob {
    /// Match a newly published intent against its category's recommended exhibits.
    IntentPublished { intent_id: String },
    /// Match a newly recommended exhibit against its category's open intents.
    ExhibitRecommended { exhibit_id: String },
}

impl MatchJob {
    pub async fn enqueue(&self, queue: &dyn JobQueue) -> Result<(), DomainError> {
        let body = serde_json::to_string(self).map_err(|e| DomainError::Internal(e.to_string()))?;
        queue
            .send(QueueName::Matcher, &body, Duration::ZERO)
            .await?;
        Ok(())
    }
}

/// Work for the notifier worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum NotifierJob {
    /// Send a booking's reminders: each recipient and channel once, only while confirmed.
    Reminder { booking_id: String },
    /// Send one email once; `key` names it (a second delivery sends nothing).
    Email {
        key: String,
        to: String,
        subject: String,
        text: String,
    },
}

impl NotifierJob {
    pub fn body(&self) -> Result<String, DomainError> {
        serde_json::to_string(self).map_err(|e| DomainError::Internal(e.to_string()))
    }

    pub async fn enqueue(&self, queue: &dyn JobQueue, delay: Duration) -> Result<(), DomainError> {
        queue
            .send(QueueName::Notifier, &self.body()?, delay)
            .await?;
        Ok(())
    }
}

/// The delay to enqueue a reminder due at `due` with, if it is close enough for the queue
/// to hold it (SQS delays go up to 15 minutes); overdue ones go at once.
pub fn reminder_delay(
    due: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<Duration> {
    let ahead = (due - now).num_seconds().max(0) as u64;
    (ahead <= crate::ports::MAX_DELAY.as_secs()).then(|| Duration::from_secs(ahead))
}
