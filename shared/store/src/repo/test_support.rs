//! Writers only tests and benchmarks use (the `test-support` feature, which no function
//! enables): bulk loads and seeds that bypass the rules a use case keeps.

use fairlink_domain::{
    DomainError,
    model::{Account, Conversation, Message},
    ports::{Condition, Item, Key, WriteOp},
};

use super::{
    Repository,
    accounts::{account_item, member_write},
    messaging::conversation_item,
};
use crate::transaction::Transaction;
use crate::{codec, keys};

/// The rule a seed rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SeedRule {
    /// No account has the id yet (an account stored only if missing).
    Missing,
}

impl Repository {
    /// Stores an account without an identity if it is missing: only a development token
    /// signs in as it (seeding tests and benchmarks).
    pub async fn ensure_account(&self, account: &Account) -> Result<(), DomainError> {
        let tx = Transaction::new()
            .guarded(
                SeedRule::Missing,
                WriteOp::Put {
                    item: account_item(account),
                    condition: Some(Condition::NotExists),
                },
            )
            .writes(member_write(account));
        match self.commit(tx).await {
            Ok(()) => Ok(()),
            // Stored before: nothing to do.
            Err(err) => err.refusal().map(|_| ()),
        }
    }

    /// Conversations written in bulk (the list-cap test), without their pair or list entry.
    pub async fn put_conversations(
        &self,
        conversations: &[Conversation],
    ) -> Result<(), DomainError> {
        self.put_all(conversations.iter().map(conversation_item).collect())
            .await
    }

    /// Messages written in bulk (the paging test's long conversation), bypassing the
    /// conversation's counters.
    pub async fn put_messages(&self, messages: &[Message]) -> Result<(), DomainError> {
        let items = messages
            .iter()
            .map(|m| {
                codec::to_item(
                    &Key::new(keys::messages(&m.conversation_id), &m.id),
                    "Message",
                    m,
                )
            })
            .collect();
        self.put_all(items).await
    }

    /// Plain puts, 32 at a time: bulk loads need no transaction.
    async fn put_all(&self, items: Vec<Item>) -> Result<(), DomainError> {
        let mut items = items.into_iter().peekable();
        while items.peek().is_some() {
            let batch: Vec<_> = items
                .by_ref()
                .take(32)
                .map(|item| self.store().put(item, None))
                .collect();
            for outcome in futures::future::join_all(batch).await {
                outcome?;
            }
        }
        Ok(())
    }
}
