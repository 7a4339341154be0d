mod accounts;
mod exhibitors;
mod fair;
pub mod idempotency;
mod notifications;

pub use notifications::notification_write;
mod outbox;

use std::sync::Arc;

use fairlink_domain::ports::ItemStore;

pub use idempotency::{IdempotencyReservation, StoredResponse};
pub use outbox::OutboxEntry;

/// fairlink's persistence, one method per access pattern, over any item store.
#[derive(Clone)]
pub struct Repository {
    store: Arc<dyn ItemStore>,
}

impl Repository {
    pub fn new(store: Arc<dyn ItemStore>) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &dyn ItemStore {
        self.store.as_ref()
    }
}
