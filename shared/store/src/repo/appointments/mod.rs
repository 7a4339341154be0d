use chrono::{DateTime, Duration, Utc};
use fairlink_domain::{
    DomainError,
    jobs::OutgoingJob,
    model::{Booking, BookingStatus, MAX_SLOT_MINUTES, Slot},
    optimistic::{Attempt, Contended, retry_on_lost_race},
    ports::{Change, Condition, Index, Item, Key, Query, SortCondition, WriteOp, attr},
    reminders::Meeting,
    time,
};
use futures::{StreamExt, stream};
use serde_json::{Value, json};

use super::{NotificationFor, Repository, realtime};
use crate::codec::set_str as set;
use crate::transaction::{Transaction, TransactionError};
use crate::{PageOf, PageRequest, codec, keys, query_all, query_page, query_page_filtered};

mod bookings;
mod reminders;
mod slots;

/// A slot being deleted while it moves is read again this often.
const SLOT: Contended = Contended::on("the slot", 3);

/// Reminder-index partitions a sweep reads at once.
const CONCURRENT_REMINDER_QUERIES: usize = 8;

/// Slots one transaction creates (each with its interval), beside the calendar's version.
pub const MAX_SLOTS_PER_WRITE: usize = 49;

/// What an overlap check read: the exhibitor's slots overlapping a window, and its calendar's
/// version. Every change of the exhibitor's slot times bumps the version in its transaction,
/// so a change checked against a calendar lands only if nobody changed it meanwhile.
#[derive(Debug, Clone)]
pub struct SlotCalendar {
    pub overlapping: Vec<Slot>,
    pub version: u64,
}

fn calendar_key(eid: &str) -> Key {
    Key::new(keys::exhibitor(eid), keys::SLOT_CALENDAR)
}

/// Moves the calendar from `version` to the next, failing when it is no longer at `version`.
fn calendar_bump(eid: &str, version: u64) -> WriteOp {
    let at_version = if version == 0 {
        Condition::AttrNotExists("version".into())
    } else {
        Condition::Equals("version".into(), json!(version))
    };
    WriteOp::Update {
        key: calendar_key(eid),
        changes: vec![Change::Set("version".into(), json!(version + 1))],
        condition: Some(at_version),
    }
}

fn slot_key(sid: &str) -> Key {
    Key::new(keys::slot(sid), keys::SLOT)
}

/// A slot's interval in its exhibitor's calendar: what overlap checks read, in the table
/// (consistently), where the slot's own index entry may lag.
fn interval_key(slot: &Slot) -> Key {
    Key::new(
        keys::slot_intervals(&slot.exhibitor_id),
        keys::timed(slot.starts_at, &slot.id),
    )
}

fn interval_put(slot: &Slot) -> WriteOp {
    WriteOp::Put {
        item: codec::to_item(&interval_key(slot), "SlotInterval", slot),
        condition: None,
    }
}

/// The writes that move a slot's interval from `before`'s times to `after`'s.
fn interval_moves(before: &Slot, after: &Slot) -> Vec<WriteOp> {
    if before.starts_at == after.starts_at && before.ends_at == after.ends_at {
        return Vec::new();
    }
    let mut ops = Vec::new();
    if interval_key(before) != interval_key(after) {
        ops.push(WriteOp::Delete {
            key: interval_key(before),
            condition: None,
        });
    }
    ops.push(interval_put(after));
    ops
}

fn booking_key(bkid: &str) -> Key {
    Key::new(keys::booking(bkid), keys::BOOKING)
}

fn place_key(sid: &str, buyer_id: &str) -> Key {
    Key::new(keys::slot(sid), keys::buyer_place(buyer_id))
}

/// An account's claim on a meeting time: by the time, not the slot.
fn busy_key(aid: &str, starts_at: DateTime<Utc>) -> Key {
    Key::new(keys::busy(aid), keys::at(starts_at))
}

fn slot_item(slot: &Slot) -> Item {
    let mut item = codec::to_item(&slot_key(&slot.id), "Slot", slot);
    set(
        &mut item,
        attr::GSI1_PK,
        keys::exhibitor_slots(&slot.exhibitor_id),
    );
    set(
        &mut item,
        attr::GSI1_SK,
        keys::timed(slot.starts_at, &slot.id),
    );
    item
}

/// Which reminder shard a booking falls in (stable across processes).
fn shard(bkid: &str) -> u32 {
    let hash = codec::stable_hash(bkid);
    (hash % u64::from(keys::REMINDER_SHARDS)) as u32
}

/// How a confirmed booking's reminder reaches the notifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderPath {
    /// The booking is in the reminder index, which the scheduler sweeps (a reminder further
    /// off than a queue's delay reaches).
    ReminderIndex,
    /// A delayed job goes with the confirmation; the booking stays out of the index.
    QueuedJob,
}

/// A booking, listed under its exhibitor by time and, when `in_reminder_index` (a confirmed
/// booking whose reminder goes that way), in the reminder index the scheduler sweeps.
fn booking_item(booking: &Booking, in_reminder_index: bool) -> Item {
    let mut item = codec::to_item(&booking_key(&booking.id), "Booking", booking);
    set(
        &mut item,
        attr::GSI1_PK,
        keys::exhibitor_bookings(&booking.exhibitor_id),
    );
    set(
        &mut item,
        attr::GSI1_SK,
        keys::timed(booking.starts_at, &booking.id),
    );
    if in_reminder_index {
        let at = booking.reminder_at();
        set(
            &mut item,
            attr::GSI2_PK,
            keys::reminders(&keys::reminder_bucket(at), shard(&booking.id)),
        );
        set(&mut item, attr::GSI2_SK, keys::timed(at, &booking.id));
    }
    item
}

fn schedule_entry(aid: &str, booking: &Booking) -> WriteOp {
    let key = Key::new(
        keys::schedule(aid),
        keys::timed(booking.starts_at, &booking.id),
    );
    let mut item = codec::to_item(&key, "ScheduleEntry", &json!({}));
    set(&mut item, "bookingId", booking.id.clone());
    WriteOp::Put {
        item,
        condition: None,
    }
}

/// The writes that store a booking as it stands, for bulk loads (the reminder benchmark),
/// which bypass slots and capacity.
pub fn booking_write(booking: &Booking, reminder: ReminderPath) -> WriteOp {
    WriteOp::Put {
        item: booking_item(booking, reminder == ReminderPath::ReminderIndex),
        condition: None,
    }
}

/// Why a change of an exhibitor's slots could not be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotRefusal {
    /// Another change of the exhibitor's slot times landed since its calendar was read:
    /// read it again and decide again.
    CalendarMoved,
    /// The slot has bookings, so its time can no longer change.
    SlotBooked,
}

/// Why a change of a booking could not be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingChangeRefusal {
    /// The booking is no longer in the state it was read in.
    ChangedMeanwhile,
    /// The account that would receive the buyer already has a meeting at that time.
    AssigneeBusy,
}

/// The rules a transaction of slots and bookings rests on, named for its refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    CalendarAsRead,
    SlotUnbooked,
    SlotAsRead,
    SlotHasRoomAsRead,
    BuyerHoldsNoPlace,
    BookingAsRead,
    AssigneeFreeThen,
}

/// Why a booking could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingRefusal {
    SlotFull,
    AlreadyBooked,
    /// The slot moved (or went) after it was read: the booking would not be at the time the
    /// buyer chose.
    SlotChanged,
}

/// A booking due for its reminder, from the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    pub booking_id: String,
    pub reminder_at: DateTime<Utc>,
}

/// The booking is still in the state it was read in.
fn same_state(before: &Booking) -> Condition {
    let mut conditions = vec![
        Condition::Exists,
        Condition::Equals(
            "status".into(),
            serde_json::to_value(before.status).unwrap_or_default(),
        ),
    ];
    // A requested booking has no assignee; its status says enough.
    if let Some(assignee) = &before.assignee_id {
        conditions.push(Condition::Equals("assigneeId".into(), json!(assignee)));
    }
    Condition::And(conditions)
}

fn slot_outcome(
    outcome: Result<(), TransactionError<Rule>>,
) -> Result<Result<(), SlotRefusal>, DomainError> {
    match outcome {
        Ok(()) => Ok(Ok(())),
        Err(TransactionError::Refused(Rule::CalendarAsRead)) => Ok(Err(SlotRefusal::CalendarMoved)),
        Err(TransactionError::Refused(Rule::SlotUnbooked)) => Ok(Err(SlotRefusal::SlotBooked)),
        Err(err) => Err(unexpected(err)),
    }
}

fn booking_change_outcome(
    outcome: Result<(), TransactionError<Rule>>,
) -> Result<Result<(), BookingChangeRefusal>, DomainError> {
    match outcome {
        Ok(()) => Ok(Ok(())),
        Err(TransactionError::Refused(Rule::BookingAsRead)) => {
            Ok(Err(BookingChangeRefusal::ChangedMeanwhile))
        }
        Err(TransactionError::Refused(Rule::AssigneeFreeThen)) => {
            Ok(Err(BookingChangeRefusal::AssigneeBusy))
        }
        Err(err) => Err(unexpected(err)),
    }
}

/// A failure no caller expects: a rule this transaction does not have, or the store's.
fn unexpected(err: TransactionError<Rule>) -> DomainError {
    match err {
        TransactionError::Refused(rule) => {
            DomainError::Internal(format!("refused by {rule:?}, which nothing expects here"))
        }
        TransactionError::Failed(err) => err.into(),
    }
}
