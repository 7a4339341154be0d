//! The messages the features put on the worker queues.

use std::time::Duration;

use chrono::{DateTime, Utc};
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
    /// Analyse and embed a recommended exhibit (newly recommended, or changed while it is),
    /// store it as its category's candidate, and match it against the open intents.
    ExhibitRecommended { exhibit_id: String },
    /// Rank an intent again with its buyer's verdicts, and replace the pushes it dismissed
    /// where the matcher is confident of another exhibit.
    IntentJudged { intent_id: String },
}

/// A message written in the same transaction as the change that calls for it, then sent
/// to its queue once that change is committed. A send that fails leaves it stored, and the
/// scheduler sends it a minute later: a committed change never loses its message, and a
/// failing queue never fails a request whose change is already made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutgoingJob {
    pub id: String,
    pub queue: QueueName,
    pub body: String,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
    /// When the message should reach its worker (reminders are sent ahead, with a delay).
    #[serde(with = "crate::time::millis")]
    pub deliver_at: DateTime<Utc>,
}

impl OutgoingJob {
    /// The queue delay that delivers it at `deliver_at` (now if past; at most 15 minutes).
    pub fn delay(&self, now: DateTime<Utc>) -> Duration {
        let ahead = (self.deliver_at - now).num_seconds().max(0) as u64;
        Duration::from_secs(ahead.min(crate::ports::MAX_DELAY.as_secs()))
    }
}

impl MatchJob {
    pub fn outgoing(&self, id: String, now: DateTime<Utc>) -> Result<OutgoingJob, DomainError> {
        Ok(OutgoingJob {
            id,
            queue: QueueName::Matcher,
            body: serde_json::to_string(self).map_err(|e| DomainError::Internal(e.to_string()))?,
            created_at: now,
            deliver_at: now,
        })
    }

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
        /// The recipient's language (for the HTML part's `lang` and `dir`).
        #[serde(default)]
        language: crate::model::Language,
    },
}

impl NotifierJob {
    pub fn body(&self) -> Result<String, DomainError> {
        serde_json::to_string(self).map_err(|e| DomainError::Internal(e.to_string()))
    }

    pub fn outgoing(
        &self,
        id: String,
        now: DateTime<Utc>,
        deliver_at: DateTime<Utc>,
    ) -> Result<OutgoingJob, DomainError> {
        Ok(OutgoingJob {
            id,
            queue: QueueName::Notifier,
            body: self.body()?,
            created_at: now,
            deliver_at,
        })
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
