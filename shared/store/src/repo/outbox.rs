use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    ports::{Key, Query},
};
use serde::{Deserialize, Serialize};

use super::Repository;
use crate::{PageOf, PageRequest, codec, keys, query_page};

/// An email or SMS the embedded adapters "sent": kept so local mode can list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxEntry {
    pub id: String,
    /// `email` or `sms`.
    pub channel: String,
    pub to: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    /// An email's HTML part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(with = "fairlink_domain::time::millis")]
    pub sent_at: DateTime<Utc>,
}

impl Repository {
    pub async fn add_to_outbox(&self, entry: &OutboxEntry) -> Result<(), DomainError> {
        let key = Key::new(keys::OUTBOX, &entry.id);
        self.store()
            .put(codec::to_item(&key, "OutboxEntry", entry), None)
            .await?;
        Ok(())
    }

    /// Oldest first, in the order they were sent.
    pub async fn outbox(&self, page: &PageRequest) -> Result<PageOf<OutboxEntry>, DomainError> {
        query_page(self.store(), Query::table(keys::OUTBOX), page).await
    }
}
