use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError,
    model::{Conversation, Message, Side, Translation},
    optimistic::Attempt,
    ports::{Condition, Index, Item, Key, Query, SortCondition, WriteOp, attr},
    time,
};
use serde_json::{Value, json};

use super::{Gone, NotificationFor, Repository, realtime};
use crate::codec::set_str as set;
use crate::transaction::{Transaction, TransactionError};
use crate::{PageOf, PageRequest, codec, keys, query_page};

/// The rules a conversation's transactions rest on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// A buyer and an exhibitor have one conversation.
    PairWithoutConversation,
    /// The conversation is as it was read (optimistic concurrency).
    ConversationAsRead,
}

/// A transaction either landed or lost its race with another change (read again, retry).
fn attempt(outcome: Result<(), TransactionError<Rule>>) -> Result<Attempt<()>, DomainError> {
    match outcome {
        Ok(()) => Ok(Attempt::Done(())),
        Err(err) => err.refusal().map(|_| Attempt::LostRace),
    }
}

fn conversation_key(cid: &str) -> Key {
    Key::new(keys::conversation(cid), keys::CONV)
}

fn pair_key(buyer_id: &str, eid: &str) -> Key {
    Key::new(keys::pair(buyer_id, eid), keys::PAIR)
}

/// A conversation, listed under its buyer (GSI1) and its assignee (GSI2) by activity.
pub(super) fn conversation_item(c: &Conversation) -> Item {
    let mut item = codec::to_item(&conversation_key(&c.id), "Conversation", c);
    set(&mut item, attr::GSI1_PK, keys::conversations(&c.buyer_id));
    set(&mut item, attr::GSI1_SK, c.activity.clone());
    set(
        &mut item,
        attr::GSI2_PK,
        keys::conversations(&c.assignee_id),
    );
    set(&mut item, attr::GSI2_SK, c.activity.clone());
    item
}

fn exhibitor_entry(c: &Conversation) -> Item {
    let key = Key::new(keys::exhibitor_conversations(&c.exhibitor_id), &c.activity);
    let mut item = codec::to_item(&key, "ConversationEntry", &json!({}));
    set(&mut item, "conversationId", c.id.clone());
    item
}

/// The conversation is still as it was read: nothing was written to it since.
/// The conversation is as read: its latest message, its assignee and both read counts.
/// The item is written whole, so a write without a message (a read marker) must not land on
/// another one's: two sides marking read at once would put back each other's count. Counts
/// rise only with a message (a new `activity`), so these four tell every change apart.
fn unchanged(before: &Conversation) -> Condition {
    Condition::And(vec![
        Condition::Exists,
        Condition::Equals("activity".into(), json!(before.activity)),
        Condition::Equals("assigneeId".into(), json!(before.assignee_id)),
        Condition::Equals("buyerUnread".into(), json!(before.buyer_unread)),
        Condition::Equals("exhibitorUnread".into(), json!(before.exhibitor_unread)),
    ])
}

/// Direction of a message page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    OldestFirst,
    NewestFirst,
}

impl Repository {
    /// The open conversation between a buyer and an exhibitor, if there is one.
    pub async fn conversation_of_pair(
        &self,
        buyer_id: &str,
        eid: &str,
    ) -> Result<Option<Conversation>, DomainError> {
        let Some(pair) = self.store().get(&pair_key(buyer_id, eid)).await? else {
            return Ok(None);
        };
        match pair.get("conversationId").and_then(Value::as_str) {
            Some(cid) => self.conversation(cid).await,
            None => Ok(None),
        }
    }

    /// Opens a conversation, the only one of its buyer and exhibitor: a lost race when
    /// another was opened first (read it with `conversation_of_pair`).
    pub async fn open_conversation(
        &self,
        c: &Conversation,
        notify: NotificationFor<'_>,
    ) -> Result<Attempt<()>, DomainError> {
        let mut pair = codec::to_item(&pair_key(&c.buyer_id, &c.exhibitor_id), "Pair", &json!({}));
        set(&mut pair, "conversationId", c.id.clone());
        let tx = Transaction::new()
            .guarded(
                Rule::PairWithoutConversation,
                WriteOp::Put {
                    item: pair,
                    condition: Some(Condition::NotExists),
                },
            )
            .write(WriteOp::Put {
                item: conversation_item(c),
                condition: Some(Condition::NotExists),
            })
            .write(WriteOp::Put {
                item: exhibitor_entry(c),
                condition: None,
            })
            .writes(notify.writes());
        attempt(self.commit(tx).await)
    }

    /// The conversation as `known` (just read, on an optimistic loop's first attempt), or
    /// read again (after a lost race).
    pub async fn current_conversation(
        &self,
        known: Option<Conversation>,
        cid: &str,
    ) -> Result<Result<Conversation, Gone>, DomainError> {
        match known {
            Some(c) => Ok(Ok(c)),
            None => Ok(self.conversation(cid).await?.ok_or(Gone)),
        }
    }

    pub async fn conversation(&self, cid: &str) -> Result<Option<Conversation>, DomainError> {
        self.store()
            .get(&conversation_key(cid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Writes a conversation's new state if nobody wrote to it since `before` was read, with
    /// its new messages and a notification; the exhibitor's list entry moves along, and the
    /// readers' open pages are told (`message.created`, or `conversation.updated` for a
    /// change without a message). A lost race: it changed meanwhile; read it again and retry.
    pub async fn save_conversation(
        &self,
        before: &Conversation,
        after: &Conversation,
        messages: &[Message],
        notify: Option<NotificationFor<'_>>,
        at: DateTime<Utc>,
    ) -> Result<Attempt<()>, DomainError> {
        self.save_conversation_with(before, after, messages, notify, Vec::new(), at)
            .await
    }

    /// As `save_conversation`, with further writes in the same transaction (a card sent in
    /// the conversation is delivered with its card message).
    pub async fn save_conversation_with(
        &self,
        before: &Conversation,
        after: &Conversation,
        messages: &[Message],
        notify: Option<NotificationFor<'_>>,
        also: Vec<WriteOp>,
        at: DateTime<Utc>,
    ) -> Result<Attempt<()>, DomainError> {
        let mut tx = Transaction::new().guarded(
            Rule::ConversationAsRead,
            WriteOp::Put {
                item: conversation_item(after),
                condition: Some(unchanged(before)),
            },
        );
        if before.activity != after.activity {
            tx = tx
                .write(WriteOp::Delete {
                    key: Key::new(
                        keys::exhibitor_conversations(&before.exhibitor_id),
                        &before.activity,
                    ),
                    condition: None,
                })
                .write(WriteOp::Put {
                    item: exhibitor_entry(after),
                    condition: None,
                });
        }
        for message in messages {
            let key = Key::new(keys::messages(&message.conversation_id), &message.id);
            tx = tx.write(WriteOp::Put {
                item: codec::to_item(&key, "Message", message),
                condition: Some(Condition::NotExists),
            });
        }
        tx = tx
            .writes(notify.into_iter().flat_map(NotificationFor::writes))
            .writes(also);
        tx = if messages.is_empty() {
            tx.write(realtime::conversation_event(before, after, at))
        } else {
            tx.writes(realtime::message_events(after, messages))
        };
        attempt(self.commit(tx).await)
    }

    /// A buyer's conversations (GSI1) or an assignee's (GSI2), latest activity first.
    pub async fn account_conversations(
        &self,
        aid: &str,
        side: Side,
        page: &PageRequest,
    ) -> Result<PageOf<Conversation>, DomainError> {
        let index = match side {
            Side::Buyer => Index::Gsi1,
            Side::Exhibitor => Index::Gsi2,
        };
        let query = Query::index(index, keys::conversations(aid)).backward();
        query_page(self.store(), query, page).await
    }

    /// Every conversation of an exhibitor, latest activity first: its list and one batch get.
    pub async fn exhibitor_conversations(
        &self,
        eid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<Conversation>, DomainError> {
        let entries: PageOf<Item> = query_page(
            self.store(),
            Query::table(keys::exhibitor_conversations(eid)).backward(),
            page,
        )
        .await?;
        let keys: Vec<Key> = entries
            .items
            .iter()
            .filter_map(|e| e.get("conversationId").and_then(Value::as_str))
            .map(conversation_key)
            .collect();
        let conversations: Vec<Option<Conversation>> = self.get_many_of(&keys).await?;
        Ok(PageOf {
            items: conversations.into_iter().flatten().collect(),
            next_cursor: entries.next_cursor,
        })
    }

    pub async fn message(&self, cid: &str, mid: &str) -> Result<Option<Message>, DomainError> {
        self.store()
            .get(&Key::new(keys::messages(cid), mid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// A page of a conversation's messages in either order, optionally only those after
    /// (in time) a message.
    pub async fn messages(
        &self,
        cid: &str,
        order: Order,
        after: Option<&str>,
        page: &PageRequest,
    ) -> Result<PageOf<Message>, DomainError> {
        let mut query = Query::table(keys::messages(cid));
        if let Some(mid) = after {
            query = query.sort(SortCondition::GreaterThan(mid.to_string()));
        }
        if order == Order::NewestFirst {
            query = query.backward();
        }
        query_page(self.store(), query, page).await
    }

    /// How many of the messages after one `counts` accepts (unread counts after a marker).
    pub async fn count_messages_after(
        &self,
        cid: &str,
        mid: &str,
        counts: impl Fn(&Message) -> bool,
    ) -> Result<u32, DomainError> {
        let mut count = 0;
        let mut start_after = None;
        loop {
            let query = Query::table(keys::messages(cid))
                .sort(SortCondition::GreaterThan(mid.to_string()))
                .limit(1_000)
                .start_after(start_after);
            let page = self.store().query(query).await?;
            for item in page.items {
                if counts(&codec::from_item(item)?) {
                    count += 1;
                }
            }
            match page.last_key {
                Some(key) => start_after = Some(key),
                None => return Ok(count),
            }
        }
    }

    pub async fn translation(
        &self,
        mid: &str,
        lang: &str,
    ) -> Result<Option<Translation>, DomainError> {
        let key = Key::new(keys::translations(mid), keys::translation(lang));
        self.store()
            .get(&key)
            .await?
            .map(codec::from_item)
            .transpose()
    }

    pub async fn put_translation(
        &self,
        mid: &str,
        translation: &Translation,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let key = Key::new(
            keys::translations(mid),
            keys::translation(&translation.target_lang),
        );
        let mut item = codec::to_item(&key, "Translation", translation);
        set(&mut item, "translatedAt", time::format(at));
        self.store().put(item, None).await?;
        Ok(())
    }
}
