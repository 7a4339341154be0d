use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    jobs::OutgoingJob,
    model::{
        DeliveryStatus, ExhibitMatch, Intent, IntentDelivery, IntentStatus, Notification, Push,
    },
    ports::{Change, Condition, Index, Item, Key, Query, SortCondition, WriteOp, attr},
    time,
};
use serde_json::Value;

use super::{Repository, notifications::notification_writes, outgoing::outgoing_job_write};
use crate::transaction::Transaction;
use fairlink_domain::matching;

/// What the matcher keeps of an intent: its sentence vector, and the feedback of its run.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredQuery {
    pub vector: Vec<f32>,
    pub feedback: Option<matching::Feedback>,
}

fn query_of(item: &Item) -> Option<StoredQuery> {
    Some(StoredQuery {
        vector: item
            .get("vector")
            .and_then(Value::as_str)
            .and_then(matching::decode_vector)?,
        feedback: item
            .get("feedback")
            .and_then(Value::as_str)
            .and_then(matching::Feedback::decode),
    })
}
use crate::codec::set_str as set;
use crate::{PageOf, PageRequest, codec, keys, query_all, query_page, query_page_filtered};

fn intent_key(iid: &str) -> Key {
    Key::new(keys::intent(iid), keys::INTENT)
}

fn embedding_key(iid: &str) -> Key {
    Key::new(keys::intent(iid), keys::EMBEDDING)
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

/// A match to record: the exhibitor, the match, and whom to tell with what.
pub struct MatchRecord<'a> {
    pub exhibitor_id: &'a str,
    pub found: ExhibitMatch,
    pub notify: &'a str,
    pub notification: Notification,
}

/// Four writes per match (with the notification's event); DynamoDB allows 100 per
/// transaction.
const MATCHES_PER_TRANSACTION: usize = 25;

/// The rule closing an intent rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntentRule {
    /// The intent is still among its category's open intents.
    StillOpen,
}

/// The rules recording a match rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchRule {
    /// This exhibit's match with this intent was not recorded before.
    NotRecorded,
    /// The exhibit (whose counter grows) still exists.
    ExhibitExists,
}

fn match_writes(tx: Transaction<MatchRule>, record: &MatchRecord) -> Transaction<MatchRule> {
    let key = Key::new(
        keys::exhibit_matches(record.exhibitor_id),
        keys::exhibit_match(&record.found.intent.id, &record.found.exhibit_id),
    );
    tx.guarded(
        MatchRule::NotRecorded,
        WriteOp::Put {
            item: codec::to_item(&key, "ExhibitMatch", &record.found),
            condition: Some(Condition::NotExists),
        },
    )
    .guarded(
        MatchRule::ExhibitExists,
        counter(&record.found.exhibit_id, "matchedIntents"),
    )
    .writes(notification_writes(record.notify, &record.notification))
}

/// Why a delivered intent's change was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryRefusal {
    /// Its assignee is no longer the one the change was made from.
    Reassigned,
}

/// What came of pushing an exhibit to a buyer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    Pushed,
    /// Pushed before, for this intent (`true`) or another one.
    AlreadyPushed {
        same_intent: bool,
    },
    /// The exhibit no longer exists.
    ExhibitGone,
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
    ) -> Result<Intent, DomainError> {
        let iid = intent.id.as_str();
        if intent.status != IntentStatus::Open {
            return Ok(intent.clone());
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
            Ok(()) => Ok(Intent {
                status: IntentStatus::Closed,
                closed_at: Some(at),
                ..intent.clone()
            }),
            Err(err) => match err.refusal()? {
                // Closed by a call racing this one: answer as it stands.
                IntentRule::StillOpen => self
                    .intent(iid)
                    .await?
                    .ok_or(DomainError::NotFound("intent")),
            },
        }
    }

    /// What the matcher stored of the intent, if it has run it.
    pub async fn intent_query(&self, iid: &str) -> Result<Option<StoredQuery>, DomainError> {
        Ok(self
            .store()
            .get(&embedding_key(iid))
            .await?
            .as_ref()
            .and_then(query_of))
    }

    /// The same for several intents in one read, in the order asked.
    pub async fn intent_queries(
        &self,
        ids: &[&str],
    ) -> Result<Vec<Option<StoredQuery>>, DomainError> {
        let keys: Vec<Key> = ids.iter().map(|id| embedding_key(id)).collect();
        Ok(self
            .store()
            .get_many(&keys)
            .await?
            .iter()
            .map(|item| item.as_ref().and_then(query_of))
            .collect())
    }

    pub async fn store_intent_query(
        &self,
        iid: &str,
        query: &StoredQuery,
    ) -> Result<(), DomainError> {
        let mut item = codec::to_item(
            &embedding_key(iid),
            "IntentEmbedding",
            &serde_json::json!({}),
        );
        set(&mut item, "vector", matching::encode_vector(&query.vector));
        if let Some(feedback) = &query.feedback {
            set(&mut item, "feedback", feedback.encode());
        }
        self.store().put(item, None).await?;
        Ok(())
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
        notification: Option<(&str, &Notification)>,
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
            .writes(
                notification
                    .into_iter()
                    .flat_map(|(aid, n)| notification_writes(aid, n)),
            );
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(err) => err.refusal().map(Err),
        }
    }

    /// Records that exhibits matched an intent, counts each on its exhibit and tells the
    /// exhibitors, each once however often this runs. All in one transaction when none was
    /// recorded before (the usual case); one by one otherwise. Returns how many were new.
    pub async fn record_matches(&self, matches: &[MatchRecord<'_>]) -> Result<usize, DomainError> {
        let mut new = 0;
        for chunk in matches.chunks(MATCHES_PER_TRANSACTION) {
            let tx = chunk.iter().fold(Transaction::new(), match_writes);
            match self.commit(tx).await {
                Ok(()) => new += chunk.len(),
                Err(err) => {
                    // One was recorded before, or its exhibit is gone: each on its own.
                    err.refusal()?;
                    for record in chunk {
                        match self.commit(match_writes(Transaction::new(), record)).await {
                            Ok(()) => new += 1,
                            Err(err) => match err.refusal()? {
                                MatchRule::NotRecorded | MatchRule::ExhibitExists => {}
                            },
                        }
                    }
                }
            }
        }
        Ok(new)
    }

    /// An exhibitor's exhibit matches, newest intent first.
    pub async fn exhibit_matches(
        &self,
        eid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<ExhibitMatch>, DomainError> {
        let query = Query::table(keys::exhibit_matches(eid)).backward();
        query_page(self.store(), query, page).await
    }

    /// Whether one of the exhibitor's exhibits matched the intent.
    pub async fn intent_matched_exhibitor(
        &self,
        iid: &str,
        eid: &str,
    ) -> Result<bool, DomainError> {
        let query = Query::table(keys::exhibit_matches(eid))
            .sort(SortCondition::BeginsWith(keys::exhibit_matches_of_intent(
                iid,
            )))
            .limit(1);
        Ok(!self.store().query(query).await?.items.is_empty())
    }

    /// Pushes an exhibit to a buyer unless it was pushed to them before, counting it on the
    /// exhibit and adding the buyer's notification in the same transaction.
    pub async fn push(
        &self,
        buyer_id: &str,
        push: &Push,
        notification: &Notification,
    ) -> Result<PushOutcome, DomainError> {
        let key = Key::new(keys::pushed(buyer_id), &push.exhibit.id);
        let tx = push_writes(Transaction::new(), buyer_id, push, notification);
        match self.commit(tx).await {
            Ok(()) => Ok(PushOutcome::Pushed),
            Err(err) => match err.refusal()? {
                PushRule::ExhibitExists => Ok(PushOutcome::ExhibitGone),
                PushRule::NotPushedBefore => {
                    let earlier: Option<Push> = self
                        .store()
                        .get(&key)
                        .await?
                        .map(codec::from_item)
                        .transpose()?;
                    Ok(PushOutcome::AlreadyPushed {
                        same_intent: earlier.is_some_and(|p| p.intent_id == push.intent_id),
                    })
                }
            },
        }
    }

    /// Pushes several exhibits to a buyer in one transaction, if none of them was pushed
    /// before and all still exist; `false` (and nothing written) otherwise.
    pub async fn push_all(
        &self,
        buyer_id: &str,
        pushes: &[(Push, Notification)],
    ) -> Result<bool, DomainError> {
        let tx = pushes
            .iter()
            .fold(Transaction::new(), |tx, (push, notification)| {
                push_writes(tx, buyer_id, push, notification)
            });
        match self.commit(tx).await {
            Ok(()) => Ok(true),
            // Pushed before, or an exhibit is gone: nothing was written.
            Err(err) => err.refusal().map(|_| false),
        }
    }

    /// The exhibits pushed to a buyer, newest first.
    pub async fn pushes(&self, bid: &str, page: &PageRequest) -> Result<PageOf<Push>, DomainError> {
        let query = Query::index(Index::Gsi1, keys::pushes(bid)).backward();
        query_page(self.store(), query, page).await
    }

    /// Claims the right to send an intent's push email: `true` for the first claimant.
    pub async fn claim_push_email(
        &self,
        iid: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, DomainError> {
        let key = Key::new(keys::intent(iid), keys::PUSH_EMAIL);
        let mut item = codec::to_item(&key, "PushEmail", &serde_json::json!({}));
        set(&mut item, "claimedAt", time::format(at));
        match self.store().put(item, Some(Condition::NotExists)).await {
            Ok(()) => Ok(true),
            Err(err) if err.is_condition_failed() => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Gives the claim back after a failed send, so that a retry sends it.
    pub async fn release_push_email(&self, iid: &str) -> Result<(), DomainError> {
        let key = Key::new(keys::intent(iid), keys::PUSH_EMAIL);
        self.store().delete(&key, None).await?;
        Ok(())
    }
}

/// Adds one to an exhibit's counter; the exhibit must still exist.
fn counter(xid: &str, name: &str) -> WriteOp {
    WriteOp::Update {
        key: Key::new(keys::exhibit(xid), keys::EXHIBIT),
        changes: vec![Change::Add(name.into(), 1)],
        condition: Some(Condition::Exists),
    }
}

/// The writes of one push: the push (once per buyer and exhibit), the exhibit's counter and
/// the buyer's notification.
fn push_writes(
    tx: Transaction<PushRule>,
    buyer_id: &str,
    push: &Push,
    notification: &Notification,
) -> Transaction<PushRule> {
    let key = Key::new(keys::pushed(buyer_id), &push.exhibit.id);
    let mut item = codec::to_item(&key, "Push", push);
    set(&mut item, attr::GSI1_PK, keys::pushes(buyer_id));
    set(&mut item, attr::GSI1_SK, push.id.clone());
    tx.guarded(
        PushRule::NotPushedBefore,
        WriteOp::Put {
            item,
            condition: Some(Condition::NotExists),
        },
    )
    .guarded(
        PushRule::ExhibitExists,
        counter(&push.exhibit.id, "pushedBuyers"),
    )
    .writes(notification_writes(buyer_id, notification))
}

/// The rules a push's transaction rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PushRule {
    /// A buyer is pushed an exhibit once.
    NotPushedBefore,
    ExhibitExists,
}
