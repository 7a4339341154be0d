use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    model::Notification,
    ports::{Change, Condition, Index, Item, Key, Query, WriteOp, attr},
    time,
};
use serde_json::Value;

use super::{Gone, Repository};
use crate::{PageOf, PageRequest, codec, keys, query_page};

/// Which of an account's notifications a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationFilter {
    All,
    Unread,
}

/// A notification and the account it is for.
#[derive(Debug, Clone, Copy)]
pub struct NotificationFor<'a> {
    pub account_id: &'a str,
    pub notification: &'a Notification,
}

impl NotificationFor<'_> {
    /// The notification's item and its real-time event, in a transaction of its cause.
    pub fn writes(self) -> [WriteOp; 2] {
        notification_writes(self.account_id, self.notification)
    }
}

/// The writes that add a notification, for a transaction that makes what it announces:
/// the notification and its `notification.created` event.
pub fn notification_writes(account_id: &str, notification: &Notification) -> [WriteOp; 2] {
    [
        WriteOp::Put {
            item: notification_item(account_id, notification),
            condition: None,
        },
        super::realtime::notification_event(account_id, notification),
    ]
}

/// A notification, listed under its account and, while unread, in the unread index.
fn notification_item(account_id: &str, notification: &Notification) -> Item {
    let key = Key::new(keys::notifications(account_id), &notification.id);
    let mut item = codec::to_item(&key, "Notification", notification);
    if notification.read_at.is_none() {
        item.insert(
            attr::GSI1_PK.into(),
            Value::String(keys::unread_notifications(account_id)),
        );
        item.insert(attr::GSI1_SK.into(), Value::String(notification.id.clone()));
    }
    item
}

impl Repository {
    /// Adds an entry to an account's message centre.
    pub async fn add_notification(
        &self,
        account_id: &str,
        notification: &Notification,
    ) -> Result<(), DomainError> {
        self.transact_retrying(notification_writes(account_id, notification).into())
            .await?;
        Ok(())
    }

    /// Newest first; only unread ones when asked.
    pub async fn notifications(
        &self,
        account_id: &str,
        which: NotificationFilter,
        page: &PageRequest,
    ) -> Result<PageOf<Notification>, DomainError> {
        let query = match which {
            NotificationFilter::Unread => {
                Query::index(Index::Gsi1, keys::unread_notifications(account_id))
            }
            NotificationFilter::All => Query::table(keys::notifications(account_id)),
        };
        query_page(self.store(), query.backward(), page).await
    }

    /// Marks one of the account's notifications read; reading it again changes nothing.
    pub async fn mark_notification_read(
        &self,
        account_id: &str,
        notification_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Result<Notification, Gone>, DomainError> {
        let key = Key::new(keys::notifications(account_id), notification_id);
        let changes = vec![
            Change::Set("readAt".into(), Value::String(time::format(at))),
            Change::Remove(attr::GSI1_PK.into()),
            Change::Remove(attr::GSI1_SK.into()),
        ];
        let unread = Condition::And(vec![
            Condition::Exists,
            Condition::AttrExists(attr::GSI1_PK.into()),
        ]);
        match self.store().update(&key, changes, Some(unread)).await {
            Ok(item) => codec::from_item(item).map(Ok),
            Err(err) if err.is_condition_failed() => match self.store().get(&key).await? {
                Some(item) => codec::from_item(item).map(Ok),
                None => Ok(Err(Gone)),
            },
            Err(err) => Err(err.into()),
        }
    }
}
