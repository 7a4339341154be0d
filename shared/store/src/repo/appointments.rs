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

impl Repository {
    /// The exhibitor's slots overlapping `[from, to)` and its calendar's version, read before
    /// a change of slot times that must not overlap them.
    pub async fn slot_calendar(
        &self,
        eid: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<SlotCalendar, DomainError> {
        let version = self
            .store()
            .get(&calendar_key(eid))
            .await?
            .and_then(|item| item.get("version").and_then(Value::as_u64))
            .unwrap_or(0);
        let overlapping = self.overlapping_slots(eid, from, to).await?;
        Ok(SlotCalendar {
            overlapping,
            version,
        })
    }

    /// Creates slots of one exhibitor (at most `MAX_SLOTS_PER_WRITE`) in one transaction,
    /// if its calendar is still at `version`.
    pub async fn create_slots(
        &self,
        eid: &str,
        slots: &[Slot],
        version: u64,
    ) -> Result<Result<(), SlotRefusal>, DomainError> {
        if slots.is_empty() {
            return Ok(Ok(()));
        }
        if slots.len() > MAX_SLOTS_PER_WRITE {
            return Err(DomainError::Internal(format!(
                "{} slots in one write, over {MAX_SLOTS_PER_WRITE}",
                slots.len()
            )));
        }
        let mut tx = Transaction::new().guarded(Rule::CalendarAsRead, calendar_bump(eid, version));
        for slot in slots {
            // A fresh id: its condition failing would be a bug, not a refusal.
            tx = tx
                .write(WriteOp::Put {
                    item: slot_item(slot),
                    condition: Some(Condition::NotExists),
                })
                .write(interval_put(slot));
        }
        slot_outcome(self.commit(tx).await)
    }

    pub async fn slot(&self, sid: &str) -> Result<Option<Slot>, DomainError> {
        self.store()
            .get(&slot_key(sid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// The exhibitor's slots that start in `[from, to]`, by time, those `keep` accepts.
    pub async fn exhibitor_slots(
        &self,
        eid: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        page: &PageRequest,
        keep: impl Fn(&Slot) -> bool,
    ) -> Result<PageOf<Slot>, DomainError> {
        // `~` sorts after every id character, so a slot starting at `to` is included.
        // (DynamoDB refuses an empty string in a key condition: no bound, no condition.)
        let low = from.map(keys::at);
        let high = to.map(keys::after_second);
        let mut query = Query::index(Index::Gsi1, keys::exhibitor_slots(eid));
        query = match (low, high) {
            (Some(low), Some(high)) => query.sort(SortCondition::Between(low, high)),
            (Some(low), None) => query.sort(SortCondition::GreaterOrEqual(low)),
            (None, Some(high)) => query.sort(SortCondition::LessOrEqual(high)),
            (None, None) => query,
        };
        query_page_filtered(self.store(), query, page, keep).await
    }

    /// Every slot of the exhibitor that overlaps `[from, to)` (for overlap checks), from
    /// its calendar's intervals: a table query, which sees every slot committed before it
    /// (the slots' index may not yet). Only the times and ids of these slots are current.
    pub async fn overlapping_slots(
        &self,
        eid: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Slot>, DomainError> {
        // A slot that overlaps starts less than the longest slot before `from`.
        let low = keys::at(from - Duration::minutes(MAX_SLOT_MINUTES));
        let query = Query::table(keys::slot_intervals(eid))
            .sort(SortCondition::Between(low, keys::after_second(to)));
        let slots: Vec<Slot> = query_all(self.store(), query).await?;
        Ok(slots.into_iter().filter(|s| s.overlaps(from, to)).collect())
    }

    /// Saves a changed slot while nobody has booked it, if the exhibitor's calendar is still
    /// at `version`.
    pub async fn save_slot(
        &self,
        before: &Slot,
        after: &Slot,
        version: u64,
    ) -> Result<Result<(), SlotRefusal>, DomainError> {
        let changes = codec::changes_between(&slot_item(before), &slot_item(after));
        let unbooked = Condition::And(vec![
            Condition::Exists,
            Condition::Equals("booked".into(), json!(0)),
        ]);
        let tx = Transaction::new()
            .guarded(
                Rule::CalendarAsRead,
                calendar_bump(&after.exhibitor_id, version),
            )
            .guarded(
                Rule::SlotUnbooked,
                WriteOp::Update {
                    key: slot_key(&after.id),
                    changes,
                    condition: Some(unbooked),
                },
            )
            .writes(interval_moves(before, after));
        slot_outcome(self.commit(tx).await)
    }

    /// Deletes an unbooked slot with its interval; deleting it again changes nothing.
    pub async fn delete_slot(&self, slot: &Slot) -> Result<Result<(), SlotRefusal>, DomainError> {
        let mut known = Some(slot.clone());
        let sid = slot.id.as_str();
        retry_on_lost_race(SLOT, || {
            let known = known.take();
            async move {
                let slot = match known {
                    Some(slot) => slot,
                    None => match self.slot(sid).await? {
                        None => return Ok(Attempt::Done(Ok(()))),
                        Some(now) if now.booked > 0 => {
                            return Ok(Attempt::Done(Err(SlotRefusal::SlotBooked)));
                        }
                        Some(now) => now,
                    },
                };
                // As read: moved meanwhile, its interval is another one; read it again.
                let unchanged = Condition::And(vec![
                    Condition::Equals("booked".into(), json!(0)),
                    Condition::Equals("startsAt".into(), json!(time::format(slot.starts_at))),
                ]);
                let tx = Transaction::new()
                    .guarded(
                        Rule::SlotAsRead,
                        WriteOp::Delete {
                            key: slot_key(&slot.id),
                            condition: Some(unchanged),
                        },
                    )
                    .write(WriteOp::Delete {
                        key: interval_key(&slot),
                        condition: None,
                    });
                match self.commit(tx).await {
                    Ok(()) => Ok(Attempt::Done(Ok(()))),
                    Err(err) => err.refusal().map(|_| Attempt::LostRace),
                }
            }
        })
        .await
    }

    /// The booking with its people: the exhibitor's name, the buyer's account and the
    /// assignee's (one read of the exhibitor, one batch read of the accounts).
    pub async fn meeting(&self, booking: Booking) -> Result<Meeting, DomainError> {
        let exhibitor_name = self
            .exhibitor(&booking.exhibitor_id)
            .await?
            .map(|e| e.name)
            .unwrap_or_default();
        let mut ids = vec![booking.buyer_id.as_str()];
        ids.extend(booking.assignee_id.as_deref());
        let mut people = self.accounts(&ids).await?.into_iter();
        let buyer = people.next().flatten();
        let assignee = people.next().flatten();
        Ok(Meeting {
            booking,
            exhibitor_name,
            buyer,
            assignee,
        })
    }

    /// Books a place in the slot: the slot's count grows only while under `capacity`, the
    /// buyer holds at most one place in it, all in one transaction (racing buyers never
    /// overbook a slot).
    pub async fn book(
        &self,
        booking: &Booking,
        capacity: u32,
        notify: NotificationFor<'_>,
    ) -> Result<Result<(), BookingRefusal>, DomainError> {
        let mut place = codec::to_item(
            &place_key(&booking.slot_id, &booking.buyer_id),
            "Place",
            &json!({}),
        );
        set(&mut place, "bookingId", booking.id.clone());
        let tx = Transaction::new()
            .guarded(
                Rule::SlotHasRoomAsRead,
                WriteOp::Update {
                    key: slot_key(&booking.slot_id),
                    changes: vec![Change::Add("booked".into(), 1)],
                    // On the slot as it was read: moved meanwhile, it refuses the booking.
                    condition: Some(Condition::And(vec![
                        Condition::Exists,
                        Condition::LessThan("booked".into(), json!(capacity)),
                        Condition::Equals(
                            "startsAt".into(),
                            json!(time::format(booking.starts_at)),
                        ),
                        Condition::Equals("endsAt".into(), json!(time::format(booking.ends_at))),
                    ])),
                },
            )
            .guarded(
                Rule::BuyerHoldsNoPlace,
                WriteOp::Put {
                    item: place,
                    condition: Some(Condition::NotExists),
                },
            )
            .write(WriteOp::Put {
                item: booking_item(booking, false),
                condition: Some(Condition::NotExists),
            })
            .write(schedule_entry(&booking.buyer_id, booking))
            .writes(notify.writes())
            .write(realtime::booking_event(None, booking, booking.created_at));
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(TransactionError::Refused(Rule::SlotHasRoomAsRead)) => {
                let now = self.slot(&booking.slot_id).await?;
                let unchanged = now.is_some_and(|slot| {
                    slot.starts_at == booking.starts_at && slot.ends_at == booking.ends_at
                });
                Ok(Err(if unchanged {
                    BookingRefusal::SlotFull
                } else {
                    BookingRefusal::SlotChanged
                }))
            }
            Err(TransactionError::Refused(Rule::BuyerHoldsNoPlace)) => {
                Ok(Err(BookingRefusal::AlreadyBooked))
            }
            Err(err) => Err(unexpected(err)),
        }
    }

    pub async fn booking(&self, bkid: &str) -> Result<Option<Booking>, DomainError> {
        self.store()
            .get(&booking_key(bkid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Confirms (or reassigns) a booking: the new assignee's place at that time is claimed
    /// (`account_busy` when taken), a previous assignee's freed, schedules and notifications
    /// written, and the booking put in the reminder index when its reminder goes that way.
    /// All or nothing, and only if the booking is still as `before` had it.
    pub async fn confirm_booking(
        &self,
        before: &Booking,
        after: &Booking,
        reminder: ReminderPath,
        notifications: &[NotificationFor<'_>],
        jobs: &[OutgoingJob],
    ) -> Result<Result<(), BookingChangeRefusal>, DomainError> {
        let assignee = after.assignee_id.as_deref().unwrap_or_default();
        let mut tx = Transaction::new()
            .guarded(
                Rule::BookingAsRead,
                WriteOp::Put {
                    item: booking_item(after, reminder == ReminderPath::ReminderIndex),
                    condition: Some(same_state(before)),
                },
            )
            .guarded(
                Rule::AssigneeFreeThen,
                WriteOp::Put {
                    item: codec::to_item(
                        &busy_key(assignee, after.starts_at),
                        "Busy",
                        &json!({"bookingId": after.id}),
                    ),
                    condition: Some(Condition::NotExists),
                },
            )
            .write(schedule_entry(assignee, after));
        if let Some(previous) = before.assignee_id.as_deref().filter(|p| *p != assignee) {
            tx = tx
                .write(WriteOp::Delete {
                    key: busy_key(previous, before.starts_at),
                    condition: None,
                })
                .write(WriteOp::Delete {
                    key: Key::new(
                        keys::schedule(previous),
                        keys::timed(before.starts_at, &before.id),
                    ),
                    condition: None,
                });
        }
        let at = after.confirmed_at.unwrap_or(after.created_at);
        let tx = tx
            .writes(notifications.iter().flat_map(|n| n.writes()))
            .writes(jobs.iter().map(super::outgoing::outgoing_job_write))
            .write(realtime::booking_event(Some(before), after, at));
        booking_change_outcome(self.commit(tx).await)
    }

    /// Cancels a booking: its place in the slot and its assignee's time are freed, and it
    /// leaves the reminder index; only if it is still as `before` had it.
    pub async fn cancel_booking(
        &self,
        before: &Booking,
        after: &Booking,
        notifications: &[NotificationFor<'_>],
    ) -> Result<Result<(), BookingChangeRefusal>, DomainError> {
        let mut tx = Transaction::new()
            .guarded(
                Rule::BookingAsRead,
                WriteOp::Put {
                    item: booking_item(after, false),
                    condition: Some(same_state(before)),
                },
            )
            // A booking's slot is deleted only without bookings: it exists while this one does.
            .write(WriteOp::Update {
                key: slot_key(&before.slot_id),
                changes: vec![Change::Add("booked".into(), -1)],
                condition: Some(Condition::Exists),
            })
            .write(WriteOp::Delete {
                key: place_key(&before.slot_id, &before.buyer_id),
                condition: None,
            });
        if let Some(assignee) = &before.assignee_id {
            tx = tx.write(WriteOp::Delete {
                key: busy_key(assignee, before.starts_at),
                condition: None,
            });
        }
        let at = after.cancelled_at.unwrap_or(after.created_at);
        let tx = tx
            .writes(notifications.iter().flat_map(|n| n.writes()))
            .write(realtime::booking_event(Some(before), after, at));
        booking_change_outcome(self.commit(tx).await)
    }

    /// Saves a change that leaves the booking's state as it is (invitees), keeping it in the
    /// reminder index if it was there, with the jobs it calls for.
    pub async fn save_booking_details(
        &self,
        before: &Booking,
        after: &Booking,
        jobs: &[OutgoingJob],
    ) -> Result<Result<(), BookingChangeRefusal>, DomainError> {
        let changes =
            codec::changes_between(&booking_item(before, false), &booking_item(after, false));
        let tx = Transaction::new()
            .guarded(
                Rule::BookingAsRead,
                WriteOp::Update {
                    key: booking_key(&after.id),
                    changes,
                    condition: Some(same_state(before)),
                },
            )
            .writes(jobs.iter().map(super::outgoing::outgoing_job_write));
        booking_change_outcome(self.commit(tx).await)
    }

    /// An exhibitor's bookings by time, optionally of one status.
    pub async fn exhibitor_bookings(
        &self,
        eid: &str,
        status: Option<BookingStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        let query = Query::index(Index::Gsi1, keys::exhibitor_bookings(eid));
        query_page_filtered(self.store(), query, page, |b: &Booking| {
            status.is_none_or(|s| b.status == s)
        })
        .await
    }

    /// An account's schedule by time: its entries, and the bookings in one batch read.
    pub async fn schedule(
        &self,
        aid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        let entries: PageOf<Item> =
            query_page(self.store(), Query::table(keys::schedule(aid)), page).await?;
        let keys: Vec<Key> = entries
            .items
            .iter()
            .filter_map(|e| e.get("bookingId").and_then(Value::as_str))
            .map(booking_key)
            .collect();
        let bookings: Vec<Option<Booking>> = self.get_many_of(&keys).await?;
        Ok(PageOf {
            items: bookings.into_iter().flatten().collect(),
            next_cursor: entries.next_cursor,
        })
    }

    /// Bookings whose reminder falls in `(after, through]`, from the reminder index.
    pub async fn due_reminders(
        &self,
        after: DateTime<Utc>,
        through: DateTime<Utc>,
    ) -> Result<Vec<DueReminder>, DomainError> {
        let mut bucket_start = after;
        // Every bucket the window touches, every shard of each.
        let mut buckets = Vec::new();
        while bucket_start <= through {
            let bucket = keys::reminder_bucket(bucket_start);
            if buckets.last() != Some(&bucket) {
                buckets.push(bucket);
            }
            bucket_start += Duration::minutes(10);
        }
        let last = keys::reminder_bucket(through);
        if buckets.last() != Some(&last) {
            buckets.push(last);
        }
        let low = keys::after_second(after);
        let high = keys::after_second(through);
        // A first sweep reads an hour back (56 partitions): several at a time, in order.
        let mut reads = Vec::new();
        for bucket in &buckets {
            for shard in 0..keys::REMINDER_SHARDS {
                let query = Query::index(Index::Gsi2, keys::reminders(bucket, shard))
                    .sort(SortCondition::Between(low.clone(), high.clone()));
                reads.push(query_all::<Booking>(self.store(), query));
            }
        }
        let mut pages = stream::iter(reads).buffered(CONCURRENT_REMINDER_QUERIES);
        let mut due = Vec::new();
        while let Some(bookings) = pages.next().await {
            due.extend(bookings?.into_iter().map(|booking| DueReminder {
                reminder_at: booking.reminder_at(),
                booking_id: booking.id,
            }));
        }
        Ok(due)
    }

    /// Up to when the scheduler has swept the reminder index.
    pub async fn scheduler_cursor(&self) -> Result<Option<DateTime<Utc>>, DomainError> {
        let item = self
            .store()
            .get(&Key::new(keys::SCHEDULER, keys::CURSOR))
            .await?;
        Ok(item
            .and_then(|i| i.get("through").and_then(Value::as_str).map(str::to_owned))
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc)))
    }

    /// Records where the sweep stopped. Overlapping sweeps may set it a little back, which
    /// only sweeps a window twice: the notifier sends each reminder once.
    pub async fn set_scheduler_cursor(&self, through: DateTime<Utc>) -> Result<(), DomainError> {
        let key = Key::new(keys::SCHEDULER, keys::CURSOR);
        let change = Change::Set("through".into(), json!(keys::at(through)));
        self.store().update(&key, vec![change], None).await?;
        Ok(())
    }

    /// Claims the sending of one message (`key` names it): `true` for the first claimant.
    pub async fn claim_sent(&self, key: &str, at: DateTime<Utc>) -> Result<bool, DomainError> {
        let mut item = codec::to_item(&Key::new(keys::sent(key), keys::SENT), "Sent", &json!({}));
        set(&mut item, "claimedAt", time::format(at));
        match self.store().put(item, Some(Condition::NotExists)).await {
            Ok(()) => Ok(true),
            Err(err) if err.is_condition_failed() => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Gives a claim back after a failed send, so that a retry sends it.
    pub async fn release_sent(&self, key: &str) -> Result<(), DomainError> {
        self.store()
            .delete(&Key::new(keys::sent(key), keys::SENT), None)
            .await?;
        Ok(())
    }
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
