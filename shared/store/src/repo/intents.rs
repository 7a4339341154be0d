use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    jobs::OutgoingJob,
    model::{DeliveryStatus, Intent, IntentDelivery, IntentStatus, Notification},
    ports::{Change, Condition, Index, Item, Key, Query, WriteOp, attr},
    time,
};
use serde_json::Value;

use super::{
    Gone, NotificationFor, Repository, notifications::notification_writes,
    outgoing::outgoing_job_write,
};
use crate::transaction::Transaction;

use crate::codec::set_str as set;
use crate::{PageOf, PageRequest, codec, keys, query_all, query_page, query_page_filtered};

fn intent_key(iid: &str) -> Key {
    Key::new(keys::intent(iid), keys::INTENT)
}

fn delivery_key(iid: &str, eid: &str) -> Key {
    Key::new(keys::intent(iid), keys::delivery(eid))
}

/// An intent, listed under its buyer.
fn intent_item(intent: &Intent) -> Item {
    let mut item = codec::to_item(&intent_key(&intent.id), "Intent", intent);
    set(
        &mut item,
        attr::GSI1_PK,
        keys::buyer_intents(&intent.buyer_id),
    );
    set(&mut item, attr::GSI1_SK, intent.id.clone());
    item
}

fn open_intent_key(intent: &Intent) -> Key {
    Key::new(keys::open_intents(&intent.category_id), intent.id.clone())
}

/// An open intent's copy among its category's open intents, in the table (not an index),
/// so the matcher reads an intent published a moment ago: intents are never edited, only
/// closed, and the copy is written and deleted in the intent's own transactions.
fn open_intent_item(intent: &Intent) -> Item {
    codec::to_item(&open_intent_key(intent), "OpenIntent", intent)
}

/// A delivery, listed under its exhibitor and under its assignee.
fn delivery_item(delivery: &IntentDelivery) -> Item {
    let key = delivery_key(&delivery.intent.id, &delivery.exhibitor_id);
    let mut item = codec::to_item(&key, "IntentDelivery", delivery);
    set(
        &mut item,
        attr::GSI1_PK,
        keys::exhibitor_intents(&delivery.exhibitor_id),
    );
    set(&mut item, attr::GSI1_SK, delivery.intent.id.clone());
    set(
        &mut item,
        attr::GSI2_PK,
        keys::assigned_intents(&delivery.assignee_id),
    );
    set(&mut item, attr::GSI2_SK, delivery.intent.id.clone());
    item
}

/// The rule closing an intent rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntentRule {
    /// The intent is still among its category's open intents.
    StillOpen,
}

/// Why a delivered intent's change was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryRefusal {
    /// Its assignee is no longer the one the change was made from.
    Reassigned,
}

impl Repository {
    /// Creates an intent; when it is addressed to an exhibitor, its delivery and the
    /// assignee's notification in the same transaction.
    pub async fn create_intent(
        &self,
        intent: &Intent,
        delivery: Option<(&IntentDelivery, &Notification)>,
        jobs: &[OutgoingJob],
    ) -> Result<(), DomainError> {
        let mut ops = vec![WriteOp::Put {
            item: intent_item(intent),
            condition: Some(Condition::NotExists),
        }];
        if intent.status == IntentStatus::Open {
            ops.push(WriteOp::Put {
                item: open_intent_item(intent),
                condition: Some(Condition::NotExists),
            });
        }
        ops.extend(jobs.iter().map(outgoing_job_write));
        if let Some((delivery, notification)) = delivery {
            ops.push(WriteOp::Put {
                item: delivery_item(delivery),
                condition: Some(Condition::NotExists),
            });
            ops.extend(notification_writes(&delivery.assignee_id, notification));
        }
        self.transact_retrying(ops).await?;
        Ok(())
    }

    pub async fn intent(&self, iid: &str) -> Result<Option<Intent>, DomainError> {
        self.store()
            .get(&intent_key(iid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Several intents in one read, in the order asked.
    pub async fn intents(&self, ids: &[&str]) -> Result<Vec<Option<Intent>>, DomainError> {
        let keys: Vec<Key> = ids.iter().map(|id| intent_key(id)).collect();
        self.get_many_of(&keys).await
    }

    /// A buyer's intents, newest first.
    pub async fn buyer_intents(
        &self,
        bid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<Intent>, DomainError> {
        let query = Query::index(Index::Gsi1, keys::buyer_intents(bid)).backward();
        query_page(self.store(), query, page).await
    }

    /// Closes an open intent, as read just before; it leaves its category's open intents.
    /// Returns the stored intent (as it is, when it was closed already).
    pub async fn close_intent(
        &self,
        intent: &Intent,
        at: DateTime<Utc>,
    ) -> Result<Result<Intent, Gone>, DomainError> {
        let iid = intent.id.as_str();
        if intent.status != IntentStatus::Open {
            return Ok(Ok(intent.clone()));
        }
        let changes = vec![
            Change::Set(
                "status".into(),
                serde_json::to_value(IntentStatus::Closed).unwrap_or_default(),
            ),
            Change::Set("closedAt".into(), Value::String(time::format(at))),
        ];
        let tx = Transaction::new()
            .guarded(
                IntentRule::StillOpen,
                WriteOp::Delete {
                    key: open_intent_key(intent),
                    condition: Some(Condition::Exists),
                },
            )
            .write(WriteOp::Update {
                key: intent_key(iid),
                changes,
                condition: Some(Condition::Exists),
            });
        match self.commit(tx).await {
            // Intents change only here, so the stored one is the one read, closed.
            Ok(()) => Ok(Ok(Intent {
                status: IntentStatus::Closed,
                closed_at: Some(at),
                ..intent.clone()
            })),
            Err(err) => match err.refusal()? {
                // Closed by a call racing this one: answer as it stands.
                IntentRule::StillOpen => Ok(self.intent(iid).await?.ok_or(Gone)),
            },
        }
    }

    /// The open intents of a category (some may be past their `validUntil`), read
    /// consistently: a recommendation's match must not miss an intent published a moment ago.
    pub async fn open_intents(&self, category_id: &str) -> Result<Vec<Intent>, DomainError> {
        query_all(self.store(), Query::table(keys::open_intents(category_id))).await
    }

    pub async fn delivery(
        &self,
        iid: &str,
        eid: &str,
    ) -> Result<Option<IntentDelivery>, DomainError> {
        self.store()
            .get(&delivery_key(iid, eid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// The intents delivered to an exhibitor, newest first, optionally one status only.
    pub async fn exhibitor_deliveries(
        &self,
        eid: &str,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<IntentDelivery>, DomainError> {
        let query = Query::index(Index::Gsi1, keys::exhibitor_intents(eid)).backward();
        query_page_filtered(self.store(), query, page, |d: &IntentDelivery| {
            status.is_none_or(|s| d.status == s)
        })
        .await
    }

    /// The intents assigned to an account, newest first, optionally one status only.
    pub async fn assigned_deliveries(
        &self,
        aid: &str,
        status: Option<DeliveryStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<IntentDelivery>, DomainError> {
        let query = Query::index(Index::Gsi2, keys::assigned_intents(aid)).backward();
        query_page_filtered(self.store(), query, page, |d: &IntentDelivery| {
            status.is_none_or(|s| d.status == s)
        })
        .await
    }

    /// Saves a changed delivery (assignee, status) if it is still as `before` had it, with
    /// the notification that announces it.
    pub async fn save_delivery(
        &self,
        before: &IntentDelivery,
        after: &IntentDelivery,
        notification: Option<NotificationFor<'_>>,
    ) -> Result<Result<(), DeliveryRefusal>, DomainError> {
        let tx = Transaction::new()
            .guarded(
                DeliveryRefusal::Reassigned,
                WriteOp::Update {
                    key: delivery_key(&after.intent.id, &after.exhibitor_id),
                    changes: codec::changes_between(&delivery_item(before), &delivery_item(after)),
                    condition: Some(Condition::Equals(
                        "assigneeId".into(),
                        Value::String(before.assignee_id.clone()),
                    )),
                },
            )
            .writes(notification.into_iter().flat_map(NotificationFor::writes));
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(err) => err.refusal().map(Err),
        }
    }
}
