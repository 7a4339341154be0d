mod accounts;
mod appointments;
mod cards;
mod exhibitors;
mod exhibits;
mod fair;
pub mod idempotency;
mod intents;
mod matching;
mod messaging;
mod notifications;

/// The item a write was for is not there (deleted meanwhile, or never was): the use case
/// says what that means to its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gone;

pub use notifications::{NotificationFilter, NotificationFor, notification_writes};
mod outbox;
mod outgoing;
pub use outgoing::{OUTGOING_SHARDS, outgoing_job_write};
mod rate_limits;
mod realtime;
#[cfg(feature = "test-support")]
mod test_support;

use std::sync::Arc;

use fairlink_domain::ports::{ItemStore, JobQueue};

pub use accounts::{LinkRefusal, NewAccountRefusal, SignedInAccount};
pub use appointments::{
    BookingChangeRefusal, BookingRefusal, DueReminder, MAX_SLOTS_PER_WRITE, ReminderPath,
    SlotCalendar, SlotRefusal, booking_write,
};
pub use cards::received_card_writes;
pub use exhibits::{ExhibitFilter, RecommendError, candidate_block_puts, exhibit_write};
pub use idempotency::{IdempotencyReservation, StoredResponse};
pub use intents::DeliveryRefusal;
pub use matching::{
    IntentMatching, Judgment, MatchRecord, MatchingRefusal, PushList, RankedMatch, StoredQuery,
    VerdictChange, VerdictRefusal,
};
pub use messaging::Order;
pub use outbox::OutboxEntry;
pub use realtime::OpenSocket;

/// fairlink's persistence, one method per access pattern, over any item store.
#[derive(Clone)]
pub struct Repository {
    store: Arc<dyn ItemStore>,
    /// Where the jobs and real-time events a transaction stores go once it commits (a send
    /// that fails leaves them to the scheduler's sweep of stranded jobs).
    queue: Arc<dyn JobQueue>,
}

impl Repository {
    /// The one way to make a repository: over its store, with the queue every committed
    /// transaction's jobs and events go to, whichever function commits it.
    pub fn new(store: Arc<dyn ItemStore>, queue: Arc<dyn JobQueue>) -> Self {
        Self { store, queue }
    }

    pub fn store(&self) -> &dyn ItemStore {
        self.store.as_ref()
    }
}

impl Repository {
    /// Several entities by key in one batch read, in the order of the keys.
    pub(crate) async fn get_many_of<T: serde::de::DeserializeOwned>(
        &self,
        keys: &[fairlink_domain::ports::Key],
    ) -> Result<Vec<Option<T>>, fairlink_domain::DomainError> {
        self.store()
            .get_many(keys)
            .await?
            .into_iter()
            .map(|item| item.map(crate::codec::from_item).transpose())
            .collect()
    }
}

impl Repository {
    /// Commits a transaction of named conditions (with `transact_retrying`'s retries): a
    /// failed condition comes back as its name.
    pub(crate) async fn commit<C: Copy>(
        &self,
        tx: crate::transaction::Transaction<C>,
    ) -> Result<(), crate::transaction::TransactionError<C>> {
        let result = self.transact_retrying(tx.ops().to_vec()).await;
        tx.outcome(result)
    }

    /// Runs a transaction, trying again when it collided with another one in flight
    /// (DynamoDB's TransactionConflict: nothing was written, and conditions are checked
    /// afresh on the next attempt, so retrying is safe).
    pub(crate) async fn transact_retrying(
        &self,
        ops: Vec<fairlink_domain::ports::WriteOp>,
    ) -> Result<(), fairlink_domain::ports::StoreError> {
        use fairlink_domain::ports::StoreError;
        let mut attempt = 0u32;
        loop {
            match self.store().transact(ops.clone()).await {
                Err(StoreError::TransactionConflict) if attempt < 4 => {
                    attempt += 1;
                    let jitter = rand::random_range(0..10u64 << attempt);
                    tokio::time::sleep(std::time::Duration::from_millis(jitter)).await;
                }
                Ok(()) => {
                    self.send_committed_jobs(&ops).await;
                    return Ok(());
                }
                other => return other,
            }
        }
    }
}
