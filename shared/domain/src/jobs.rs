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
