//! The repository layer: fairlink's keys, items and access patterns, written once over the
//! item-store port so DynamoDB and the embedded store run the same code.

mod codec;
pub mod cursor;
pub mod keys;
mod page;
mod repo;

pub use codec::{from_item, to_item};
pub use page::{PageOf, PageRequest, query_page};
pub use repo::{
    IdempotencyReservation, OutboxEntry, Repository, StoredResponse, idempotency::IDEMPOTENCY_TTL,
    notification_write,
};
