//! The repository layer: fairlink's keys, items and access patterns, written once over the
//! item-store port so DynamoDB and the embedded store run the same code.

mod codec;
pub mod cursor;
pub mod keys;
mod page;
mod repo;
mod transaction;

pub use codec::{from_item, to_item};
pub use page::{PageOf, PageRequest, page_in_list, query_all, query_page, query_page_filtered};
pub use repo::{
    BookingChangeRefusal, BookingRefusal, DeliveryRefusal, DueReminder, ExhibitFilter, Gone,
    IdempotencyReservation, IntentMatching, Judgment, LinkRefusal, MAX_SLOTS_PER_WRITE,
    MatchRecord, MatchingRefusal, NewAccountRefusal, NotificationFilter, NotificationFor,
    OUTGOING_SHARDS, OpenSocket, Order, OutboxEntry, PushList, RankedMatch, RecommendError,
    ReminderPath, Repository, SignedInAccount, SlotCalendar, SlotRefusal, StoredQuery,
    StoredResponse, VerdictChange, VerdictRefusal, booking_write, candidate_block_puts,
    exhibit_write, idempotency::IDEMPOTENCY_TTL, notification_writes, outgoing_job_write,
    received_card_writes,
};
