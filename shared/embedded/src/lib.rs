//! Embedded adapters: everything fairlink needs from the outside world, on one machine.
//! The default for running locally and for fast tests.

mod clock;
mod condition;
mod item_store;
mod lagging;
mod outbox;
mod queue;

use std::{path::Path, sync::Arc};

use fairlink_domain::ports::{
    Clock, DevTokenIdentities, JitsiRooms, NoTranslator, Ports, SystemClock, UlidGenerator,
};
use fairlink_store::Repository;

pub use clock::TestClock;
pub use item_store::EmbeddedItemStore;
pub use lagging::LaggingIndexes;
pub use outbox::{OutboxEmailSender, OutboxSmsSender};
pub use queue::InProcessQueue;

/// Ports backed by a store file in `data_dir`, an in-process queue and outboxes.
pub fn ports(data_dir: &Path, clock: Option<Arc<dyn Clock>>) -> Result<Ports, String> {
    ports_with_index_lag(data_dir, clock, None)
}

/// [`ports`], with index queries lagging `lag` behind the table when given (see
/// [`LaggingIndexes`]).
pub fn ports_with_index_lag(
    data_dir: &Path,
    clock: Option<Arc<dyn Clock>>,
    lag: Option<std::time::Duration>,
) -> Result<Ports, String> {
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    let file = Arc::new(EmbeddedItemStore::open(data_dir).map_err(|e| e.to_string())?);
    let store: Arc<dyn fairlink_domain::ports::ItemStore> = match lag {
        Some(lag) => Arc::new(LaggingIndexes::new(file, lag)),
        None => file,
    };
    let ids = Arc::new(UlidGenerator::new(clock.clone()));
    let queue = Arc::new(InProcessQueue::durable(clock.clone(), store.clone()));
    let repo = Repository::new(store.clone(), queue.clone());
    Ok(Ports {
        store,
        queue,
        email: Arc::new(OutboxEmailSender::new(
            repo.clone(),
            clock.clone(),
            ids.clone(),
        )),
        sms: Arc::new(OutboxSmsSender::new(repo, clock.clone(), ids.clone())),
        clock,
        ids,
        meetings: Arc::new(JitsiRooms::from_env()),
        translator: Arc::new(NoTranslator),
        identities: Arc::new(DevTokenIdentities),
    })
}
