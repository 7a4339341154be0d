//! The appointments feature's use cases: slots, bookings, assignment with a meeting room,
//! cancellation, invitations, schedules; reminders are handed to the notifier queue.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use fairlink_domain::{
    DomainError, Ports,
    access::{require_main, require_role},
    jobs::{NotifierJob, reminder_delay},
    model::{
        Account, Booking, BookingStatus, DEFAULT_SLOT_MINUTES, Invitee, Language, MAX_SLOT_MINUTES,
        Notification, NotificationKind, Permission, Role, Slot,
    },
    reminders::{MeetingFacts, beijing, confirmation, invitation},
    slot_windows::{self, DailyWindow},
    validate::{Checks, instant_in_range, is_email, parse_time_zone},
};
use fairlink_store::{
    BookingChangeRefusal, BookingRefusal, MAX_SLOTS_PER_WRITE, PageOf, PageRequest, Repository,
    SlotRefusal,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// A slot as the API shows it: with the capacity it has now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotView {
    pub id: String,
    pub exhibitor_id: String,
    #[serde(with = "fairlink_domain::time::millis")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "fairlink_domain::time::millis")]
    pub ends_at: DateTime<Utc>,
    /// The exhibitor's active accounts with `appointments` (main included), counted now.
    pub capacity: u32,
    pub booked: u32,
}

impl SlotView {
    fn of(slot: Slot, capacity: u32) -> Self {
        Self {
            id: slot.id,
            exhibitor_id: slot.exhibitor_id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            capacity,
            booked: slot.booked,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewSlot {
    #[serde(with = "fairlink_domain::time::millis")]
    pub starts_at: DateTime<Utc>,
    /// 30 minutes after `startsAt` when left out.
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    pub ends_at: Option<DateTime<Utc>>,
}

impl fairlink_domain::validate::Validate for NewSlot {}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotPatch {
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, with = "fairlink_domain::time::millis_opt")]
    pub ends_at: Option<DateTime<Utc>>,
}

impl fairlink_domain::validate::Validate for SlotPatch {}

/// A daily window, in local time: `{"start": "09:00", "end": "12:00"}`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Window {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotBatch {
    /// First day, included.
    pub from: NaiveDate,
    /// Last day, included.
    pub to: NaiveDate,
    pub windows: Vec<Window>,
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// The zone the dates and windows are in; the fair's by default.
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl fairlink_domain::validate::Validate for SlotBatch {}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BatchResult {
    pub created: usize,
    /// Slots that would overlap an existing one (or lie in the past) and were left out.
    pub skipped: usize,
    pub items: Vec<SlotView>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewBooking {
    #[serde(default)]
    pub message: Option<String>,
    /// One of the buyer's intents the meeting is about.
    #[serde(default)]
    pub intent_id: Option<String>,
}

impl fairlink_domain::validate::Validate for NewBooking {}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookingAssignment {
    pub account_id: String,
}

impl fairlink_domain::validate::Validate for BookingAssignment {}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewInvitee {
    pub email: String,
    pub name: String,
}

impl fairlink_domain::validate::Validate for NewInvitee {}

/// Batches make at most this many slots.
const MAX_BATCH_SLOTS: usize = 2_000;
/// Reads of the exhibitor's calendar a slot change makes while others change it meanwhile.
const CALENDAR_ATTEMPTS: usize = 5;

fn slot_overlaps() -> DomainError {
    DomainError::conflict("slot_overlaps", "the exhibitor has a slot at that time")
}

fn slot_has_bookings() -> DomainError {
    DomainError::conflict(
        "slot_has_bookings",
        "the slot has bookings; it can no longer change",
    )
}

fn booking_change_refused(refusal: BookingChangeRefusal) -> DomainError {
    match refusal {
        BookingChangeRefusal::ChangedMeanwhile => {
            DomainError::conflict("conflict", "the booking changed meanwhile; read it again")
        }
        BookingChangeRefusal::AssigneeBusy => DomainError::conflict(
            "account_busy",
            "the account already has a meeting at that time",
        ),
    }
}

fn calendar_busy() -> DomainError {
    DomainError::conflict(
        "conflict",
        "the exhibitor's slots kept changing meanwhile; try again",
    )
}

/// A slot its exhibitor's main account may change (from [`AppointmentsService::slot_to_change`]).
pub struct SlotToChange(Slot);

/// A booking the caller may assign (from [`AppointmentsService::booking_to_assign`]).
pub struct BookingToAssign(Booking);

/// A booking the caller may invite to (from [`AppointmentsService::booking_to_invite_to`]).
pub struct BookingToInviteTo {
    booking: Booking,
    inviter: Account,
}

pub struct AppointmentsService<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

impl<'a> AppointmentsService<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }

    /// A slot's capacity: the exhibitor's active accounts with `appointments`, main included.
    async fn capacity(&self, eid: &str) -> Result<u32, DomainError> {
        let accounts = self.repo.all_exhibitor_accounts(eid).await?;
        Ok(accounts
            .iter()
            .filter(|a| a.can(Permission::Appointments))
            .count() as u32)
    }

    fn check_times(&self, checks: &mut Checks, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
        checks.instant("startsAt", starts_at);
        checks.instant("endsAt", ends_at);
        checks.check(starts_at > self.now(), "startsAt", "must be in the future");
        checks.check(ends_at > starts_at, "endsAt", "must be after startsAt");
        checks.check(
            ends_at - starts_at <= Duration::minutes(MAX_SLOT_MINUTES),
            "endsAt",
            "a slot lasts at most four hours",
        );
    }

    pub async fn create_slot(
        &self,
        caller: &Account,
        eid: &str,
        input: NewSlot,
    ) -> Result<SlotView, DomainError> {
        require_main(caller, eid)?;
        let ends_at = input.ends_at.unwrap_or_else(|| {
            input
                .starts_at
                .checked_add_signed(Duration::minutes(DEFAULT_SLOT_MINUTES))
                .unwrap_or(input.starts_at)
        });
        let mut checks = Checks::new();
        self.check_times(&mut checks, input.starts_at, ends_at);
        checks.into_result()?;
        let created = self
            .create_free_slots(eid, &[(input.starts_at, ends_at)])
            .await?;
        match created.into_iter().next() {
            Some(slot) => Ok(SlotView::of(slot, self.capacity(eid).await?)),
            None => Err(slot_overlaps()),
        }
    }

    /// Creates those of the wanted slots (sorted by start, at most MAX_SLOTS_PER_WRITE) that
    /// have not begun and overlap neither the exhibitor's slots nor each other, checked
    /// against the calendar as read just before the write, which lands only if the calendar
    /// did not change meanwhile (else it is read again).
    async fn create_free_slots(
        &self,
        eid: &str,
        wanted: &[(DateTime<Utc>, DateTime<Utc>)],
    ) -> Result<Vec<Slot>, DomainError> {
        let Some(&(from, _)) = wanted.first() else {
            return Ok(Vec::new());
        };
        let to = wanted.iter().map(|w| w.1).max().unwrap_or(from);
        for _ in 0..CALENDAR_ATTEMPTS {
            let calendar = self.repo.slot_calendar(eid, from, to).await?;
            let now = self.now();
            let mut fresh: Vec<Slot> = Vec::new();
            for &(starts_at, ends_at) in wanted {
                let clashes = calendar
                    .overlapping
                    .iter()
                    .chain(&fresh)
                    .any(|s| s.overlaps(starts_at, ends_at));
                if clashes || starts_at <= now {
                    continue;
                }
                fresh.push(Slot {
                    id: self.ports.ids.new_id("slt"),
                    exhibitor_id: eid.to_string(),
                    starts_at,
                    ends_at,
                    booked: 0,
                    created_at: now,
                });
            }
            match self
                .repo
                .create_slots(eid, &fresh, calendar.version)
                .await?
            {
                Ok(()) => return Ok(fresh),
                Err(SlotRefusal::CalendarMoved | SlotRefusal::SlotChanging) => continue,
                Err(SlotRefusal::SlotBooked) => return Err(slot_has_bookings()),
            }
        }
        Err(calendar_busy())
    }

    pub async fn create_batch(
        &self,
        caller: &Account,
        eid: &str,
        input: SlotBatch,
    ) -> Result<BatchResult, DomainError> {
        require_main(caller, eid)?;
        let mut checks = Checks::new();
        let duration = input.duration_minutes.unwrap_or(DEFAULT_SLOT_MINUTES);
        checks.check(
            (5..=MAX_SLOT_MINUTES).contains(&duration),
            "durationMinutes",
            "must be from 5 to 240",
        );
        checks.check(input.from <= input.to, "to", "must not be before from");
        checks.check(
            (input.to - input.from).num_days() < 93,
            "to",
            "a batch covers at most 92 days",
        );
        checks.check(
            !input.windows.is_empty() && input.windows.len() <= 12,
            "windows",
            "must hold 1 to 12 windows",
        );
        let zone_name = match &input.time_zone {
            Some(zone) => zone.clone(),
            None => self
                .repo
                .fair()
                .await?
                .map(|f| f.time_zone)
                .unwrap_or_else(|| "Asia/Shanghai".into()),
        };
        let zone = parse_time_zone(&zone_name);
        checks.check(zone.is_some(), "timeZone", "is not an IANA time zone");
        checks.date("from", input.from);
        checks.date("to", input.to);
        let mut windows = Vec::new();
        for (i, window) in input.windows.iter().enumerate() {
            let start = NaiveTime::parse_from_str(&window.start, "%H:%M");
            let end = NaiveTime::parse_from_str(&window.end, "%H:%M");
            match (start, end) {
                (Ok(start), Ok(end)) if start < end => windows.push(DailyWindow { start, end }),
                (Ok(_), Ok(_)) => checks.fail(format!("windows[{i}].end"), "must be after start"),
                _ => checks.fail(format!("windows[{i}]"), "start and end must be HH:MM"),
            }
        }
        checks.into_result()?;
        let zone = zone.unwrap_or(chrono_tz::Asia::Shanghai);

        // Every slot the dates and windows make, in UTC, each its length in real time.
        let wanted: Vec<(DateTime<Utc>, DateTime<Utc>)> = slot_windows::expand(
            input.from,
            input.to,
            &windows,
            zone,
            Duration::minutes(duration),
            MAX_BATCH_SLOTS,
        )
        .ok_or_else(|| {
            DomainError::field(
                "windows",
                format!("the batch would make over {MAX_BATCH_SLOTS} slots"),
            )
        })?
        .into_iter()
        .map(|slot| (slot.starts_at, slot.ends_at))
        .collect();
        let mut skipped = 0;
        // In writes of up to MAX_SLOTS_PER_WRITE, each against the calendar as then.
        let mut slots: Vec<Slot> = Vec::new();
        for chunk in wanted.chunks(MAX_SLOTS_PER_WRITE) {
            let created = self.create_free_slots(eid, chunk).await?;
            skipped += chunk.len() - created.len();
            slots.extend(created);
        }
        let capacity = self.capacity(eid).await?;
        Ok(BatchResult {
            created: slots.len(),
            skipped,
            items: slots
                .into_iter()
                .map(|s| SlotView::of(s, capacity))
                .collect(),
        })
    }

    /// Main sees every slot (filtered by time and status); anyone else the future slots
    /// with room.
    pub async fn list_slots(
        &self,
        caller: &Account,
        eid: &str,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        status: Option<SlotStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<SlotView>, DomainError> {
        if self.repo.exhibitor(eid).await?.is_none() {
            return Err(DomainError::NotFound("exhibitor"));
        }
        let capacity = self.capacity(eid).await?;
        let slots = if caller.is_main_of(eid) {
            self.repo
                .exhibitor_slots(eid, from, to, page, |s: &Slot| match status {
                    None => true,
                    Some(SlotStatus::Free) => s.booked == 0,
                    Some(SlotStatus::Booked) => s.booked > 0,
                })
                .await?
        } else {
            let now = self.now();
            let from = Some(from.map_or(now, |f| f.max(now)));
            self.repo
                .exhibitor_slots(eid, from, to, page, |s: &Slot| {
                    s.starts_at > now && s.booked < capacity
                })
                .await?
        };
        Ok(slots.map(|s| SlotView::of(s, capacity)))
    }

    /// One slot, seen as the list shows it: its exhibitor's main account sees it always,
    /// anyone else while it is in the future with room (else 404, as if it were not there).
    pub async fn slot(&self, caller: &Account, sid: &str) -> Result<SlotView, DomainError> {
        let slot = self
            .repo
            .slot(sid)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        let capacity = self.capacity(&slot.exhibitor_id).await?;
        let open = slot.starts_at > self.now() && slot.booked < capacity;
        if caller.is_main_of(&slot.exhibitor_id) || open {
            Ok(SlotView::of(slot, capacity))
        } else {
            Err(DomainError::NotFound("slot"))
        }
    }

    /// The slot the caller (its exhibitor's main account) may change: read and checked
    /// before the change itself is read, so a caller without the right hears 404 or 403
    /// whatever it sent.
    pub async fn slot_to_change(
        &self,
        caller: &Account,
        sid: &str,
    ) -> Result<SlotToChange, DomainError> {
        self.own_slot(caller, sid).await.map(SlotToChange)
    }

    async fn own_slot(&self, caller: &Account, sid: &str) -> Result<Slot, DomainError> {
        let slot = self
            .repo
            .slot(sid)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        if !caller.belongs_to(&slot.exhibitor_id) {
            return Err(DomainError::NotFound("slot"));
        }
        require_main(caller, &slot.exhibitor_id)?;
        Ok(slot)
    }

    pub async fn patch_slot(
        &self,
        slot: SlotToChange,
        patch: SlotPatch,
    ) -> Result<SlotView, DomainError> {
        let SlotToChange(before) = slot;
        if before.booked > 0 {
            return Err(DomainError::conflict(
                "slot_has_bookings",
                "the slot has bookings; it can no longer change",
            ));
        }
        let starts_at = patch.starts_at.unwrap_or(before.starts_at);
        let ends_at = match (patch.ends_at, patch.starts_at) {
            (Some(ends_at), _) => ends_at,
            // Moving the start keeps the length.
            (None, Some(starts_at)) => starts_at
                .checked_add_signed(before.ends_at - before.starts_at)
                .filter(|end| instant_in_range(*end))
                .unwrap_or(starts_at),
            (None, None) => before.ends_at,
        };
        let mut checks = Checks::new();
        self.check_times(&mut checks, starts_at, ends_at);
        checks.into_result()?;
        let mut after = before.clone();
        after.starts_at = starts_at;
        after.ends_at = ends_at;
        let eid = &before.exhibitor_id;
        for _ in 0..CALENDAR_ATTEMPTS {
            let calendar = self.repo.slot_calendar(eid, starts_at, ends_at).await?;
            if calendar.overlapping.iter().any(|s| s.id != before.id) {
                return Err(slot_overlaps());
            }
            match self
                .repo
                .save_slot(&before, &after, calendar.version)
                .await?
            {
                Ok(()) => return Ok(SlotView::of(after, self.capacity(eid).await?)),
                Err(SlotRefusal::CalendarMoved | SlotRefusal::SlotChanging) => continue,
                Err(SlotRefusal::SlotBooked) => return Err(slot_has_bookings()),
            }
        }
        Err(calendar_busy())
    }

    pub async fn delete_slot(&self, caller: &Account, sid: &str) -> Result<(), DomainError> {
        let slot = match self.repo.slot(sid).await? {
            Some(slot) => slot,
            None => return Ok(()),
        };
        if !caller.belongs_to(&slot.exhibitor_id) {
            return Err(DomainError::NotFound("slot"));
        }
        require_main(caller, &slot.exhibitor_id)?;
        match self.repo.delete_slot(&slot).await? {
            Ok(()) => Ok(()),
            Err(SlotRefusal::SlotBooked) => Err(slot_has_bookings()),
            Err(SlotRefusal::CalendarMoved | SlotRefusal::SlotChanging) => Err(
                DomainError::conflict("conflict", "the slot is changing; try again"),
            ),
        }
    }

    /// A buyer books a place in a future slot while it has room, once per slot.
    pub async fn book(
        &self,
        caller: &Account,
        sid: &str,
        input: NewBooking,
    ) -> Result<Booking, DomainError> {
        require_role(caller, Role::Buyer)?;
        let slot = self
            .repo
            .slot(sid)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        let mut checks = Checks::new();
        checks.optional_text("message", input.message.as_deref(), 2_000);
        if let Some(iid) = &input.intent_id {
            let own = self
                .repo
                .intent(iid)
                .await?
                .is_some_and(|i| i.buyer_id == caller.id);
            checks.check(own, "intentId", "is not one of your intents");
        }
        checks.into_result()?;
        let now = self.now();
        if slot.starts_at <= now {
            return Err(DomainError::Unprocessable {
                code: "slot_in_past",
                detail: "the slot has started already".into(),
            });
        }
        let exhibitor = self
            .repo
            .exhibitor(&slot.exhibitor_id)
            .await?
            .ok_or(DomainError::NotFound("slot"))?;
        let capacity = self.capacity(&slot.exhibitor_id).await?;
        let booking = Booking {
            id: self.ports.ids.new_id("bkg"),
            slot_id: slot.id.clone(),
            exhibitor_id: slot.exhibitor_id.clone(),
            buyer_id: caller.id.clone(),
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            status: BookingStatus::Requested,
            message: input.message,
            intent_id: input.intent_id,
            assignee_id: None,
            meeting: None,
            invitees: Vec::new(),
            created_at: now,
            confirmed_at: None,
            cancelled_at: None,
            cancelled_by: None,
        };
        let main = self.repo.account(&exhibitor.main_account_id).await?;
        let language = main.map(|a| a.language).unwrap_or(Language::En);
        let (title, body) = match language {
            Language::Zh => (
                "新的洽谈预约".to_string(),
                format!(
                    "{} 预约了 {} 的洽谈，请指派接待人员。",
                    caller.name,
                    beijing(slot.starts_at)
                ),
            ),
            Language::En => (
                "New booking".to_string(),
                format!(
                    "{} booked the slot at {} (Beijing time); assign who receives them.",
                    caller.name,
                    beijing(slot.starts_at)
                ),
            ),
        };
        let notice = self.notice(NotificationKind::BookingRequested, title, body, &booking);
        match self
            .repo
            .book(&booking, capacity, (&exhibitor.main_account_id, &notice))
            .await?
        {
            Ok(()) => Ok(booking),
            Err(BookingRefusal::SlotFull) => Err(DomainError::conflict(
                "slot_full",
                "the slot has no room left",
            )),
            Err(BookingRefusal::AlreadyBooked) => Err(DomainError::conflict(
                "already_booked",
                "you have booked this slot already",
            )),
            Err(BookingRefusal::SlotChanged) => Err(DomainError::conflict(
                "conflict",
                "the slot changed while it was being booked; read it again",
            )),
        }
    }

    fn notice(
        &self,
        kind: NotificationKind,
        title: String,
        body: String,
        booking: &Booking,
    ) -> Notification {
        Notification::new(
            self.ports.ids.new_id("ntf"),
            kind,
            title,
            body,
            json!({"bookingId": booking.id, "slotId": booking.slot_id, "startsAt": fairlink_domain::time::format(booking.starts_at)}),
            self.now(),
        )
    }

    /// A booking the caller may see: its buyer, its assignee, or the exhibitor's main.
    /// The booking the caller (its exhibitor's main account) may assign, checked before the
    /// assignment is read.
    pub async fn booking_to_assign(
        &self,
        caller: &Account,
        bid: &str,
    ) -> Result<BookingToAssign, DomainError> {
        let booking = self.visible_booking(caller, bid).await?;
        require_main(caller, &booking.exhibitor_id)?;
        Ok(BookingToAssign(booking))
    }

    /// The booking the caller (a participant, or main) may invite a colleague to, checked
    /// before the invitee is read.
    pub async fn booking_to_invite_to(
        &self,
        caller: &Account,
        bid: &str,
    ) -> Result<BookingToInviteTo, DomainError> {
        let booking = self.visible_booking(caller, bid).await?;
        Ok(BookingToInviteTo {
            booking,
            inviter: caller.clone(),
        })
    }

    async fn visible_booking(&self, caller: &Account, bid: &str) -> Result<Booking, DomainError> {
        let booking = self
            .repo
            .booking(bid)
            .await?
            .ok_or(DomainError::NotFound("booking"))?;
        if booking.is_participant(&caller.id) || caller.is_main_of(&booking.exhibitor_id) {
            Ok(booking)
        } else {
            Err(DomainError::NotFound("booking"))
        }
    }

    pub async fn get(&self, caller: &Account, bid: &str) -> Result<Booking, DomainError> {
        self.visible_booking(caller, bid).await
    }

    /// The main account picks who receives the buyer: the booking is confirmed with a
    /// meeting room, both sides are told, and the reminders are scheduled.
    pub async fn assign(
        &self,
        booking: BookingToAssign,
        input: BookingAssignment,
    ) -> Result<Booking, DomainError> {
        let BookingToAssign(before) = booking;
        if before.status == BookingStatus::Cancelled {
            return Err(DomainError::conflict(
                "booking_cancelled",
                "the booking was cancelled",
            ));
        }
        let assignee = self
            .repo
            .account(&input.account_id)
            .await?
            .filter(|a| a.belongs_to(&before.exhibitor_id) && a.can(Permission::Appointments))
            .ok_or_else(|| {
                DomainError::field(
                    "accountId",
                    "is not an active account of this exhibitor with the `appointments` permission",
                )
            })?;
        if before.assignee_id.as_deref() == Some(assignee.id.as_str()) {
            return Ok(before);
        }
        let meeting = match &before.meeting {
            Some(meeting) => meeting.clone(),
            None => self
                .ports
                .meetings
                .create_room(&before.id)
                .await
                .map_err(|detail| DomainError::Unavailable {
                    code: "meeting_rooms_unavailable",
                    detail,
                })?,
        };
        let now = self.now();
        let mut after = before.clone();
        after.status = BookingStatus::Confirmed;
        after.assignee_id = Some(assignee.id.clone());
        after.meeting = Some(meeting);
        after.confirmed_at = Some(now);
        let buyer = self.repo.account(&before.buyer_id).await?;
        let exhibitor = self.repo.exhibitor(&before.exhibitor_id).await?;
        let exhibitor_name = exhibitor.map(|e| e.name).unwrap_or_default();
        let buyer_name = buyer.as_ref().map(|b| b.name.clone()).unwrap_or_default();
        let confirmed = |language: Language| match language {
            Language::Zh => (
                "洽谈已确认".to_string(),
                format!(
                    "{exhibitor_name} 与 {buyer_name} 的洽谈已确认（北京时间 {}）。",
                    beijing(after.starts_at)
                ),
            ),
            Language::En => (
                "Meeting confirmed".to_string(),
                format!(
                    "The meeting of {exhibitor_name} and {buyer_name} at {} (Beijing time) is confirmed.",
                    beijing(after.starts_at)
                ),
            ),
        };
        let to_assignee = {
            let (t, b) = confirmed(assignee.language);
            self.notice(NotificationKind::BookingConfirmed, t, b, &after)
        };
        let to_buyer = {
            let (t, b) = confirmed(buyer.as_ref().map(|b| b.language).unwrap_or(Language::En));
            self.notice(NotificationKind::BookingConfirmed, t, b, &after)
        };
        let delay = reminder_delay(after.reminder_at(), now);

        // The join link by email to both sides, and the reminders when they are due soon
        // (a booking confirmed after its reminder time gets them at once); later ones are
        // the scheduler's. Stored with the confirmation, sent once it is committed.
        let facts = MeetingFacts {
            exhibitor: &exhibitor_name,
            buyer: &buyer_name,
            starts_at: after.starts_at,
            join_url: after
                .meeting
                .as_ref()
                .map(|m| m.join_url.as_str())
                .unwrap_or_default(),
        };
        let mut recipients = vec![&assignee];
        if let Some(buyer) = &buyer {
            recipients.push(buyer);
        }
        recipients.retain(|account| account.active);
        let mut jobs = Vec::new();
        for recipient in recipients {
            let (subject, text) = confirmation(recipient.language, &recipient.time_zone, &facts);
            let email = NotifierJob::Email {
                key: format!("confirmed:{}:{}", after.id, recipient.id),
                to: recipient.email.clone(),
                subject,
                text,
            };
            jobs.push(email.outgoing(self.ports.ids.new_id("job"), now, now)?);
        }
        if delay.is_some() {
            let reminder = NotifierJob::Reminder {
                booking_id: after.id.clone(),
            };
            let due = after.reminder_at().max(now);
            jobs.push(reminder.outgoing(self.ports.ids.new_id("job"), now, due)?);
        }
        self.repo
            .confirm_booking(
                &before,
                &after,
                delay.is_none(),
                &[(&assignee.id, &to_assignee), (&before.buyer_id, &to_buyer)],
                &jobs,
            )
            .await?
            .map_err(booking_change_refused)?;
        Ok(after)
    }

    /// The buyer, the assignee or main cancels: the place is freed and no reminder goes out.
    pub async fn cancel(&self, caller: &Account, bid: &str) -> Result<Booking, DomainError> {
        let before = self.visible_booking(caller, bid).await?;
        if before.status == BookingStatus::Cancelled {
            return Ok(before);
        }
        let now = self.now();
        let mut after = before.clone();
        after.status = BookingStatus::Cancelled;
        after.cancelled_at = Some(now);
        after.cancelled_by = Some(caller.id.clone());
        // Both sides: the buyer, and the assignee (main while nobody is assigned).
        let exhibitor_side = match &before.assignee_id {
            Some(assignee) => assignee.clone(),
            None => self
                .repo
                .exhibitor(&before.exhibitor_id)
                .await?
                .map(|e| e.main_account_id)
                .unwrap_or_default(),
        };
        let side_ids = [before.buyer_id.as_str(), exhibitor_side.as_str()];
        let sides = self.repo.accounts(&side_ids).await?;
        let mut notices = Vec::new();
        for (id, account) in side_ids.iter().zip(&sides) {
            let (title, body) = match account.as_ref().map(|a| a.language).unwrap_or(Language::En) {
                Language::Zh => (
                    "洽谈已取消".to_string(),
                    format!("北京时间 {} 的洽谈已取消。", beijing(before.starts_at)),
                ),
                Language::En => (
                    "Meeting cancelled".to_string(),
                    format!(
                        "The meeting at {} (Beijing time) was cancelled.",
                        beijing(before.starts_at)
                    ),
                ),
            };
            notices.push((
                *id,
                self.notice(NotificationKind::BookingCancelled, title, body, &after),
            ));
        }
        let refs: Vec<(&str, &Notification)> = notices.iter().map(|(id, n)| (*id, n)).collect();
        self.repo
            .cancel_booking(&before, &after, &refs)
            .await?
            .map_err(booking_change_refused)?;
        Ok(after)
    }

    /// A participant (or main) sends the meeting link to a colleague.
    pub async fn invite(
        &self,
        booking: BookingToInviteTo,
        input: NewInvitee,
    ) -> Result<Invitee, DomainError> {
        let BookingToInviteTo {
            booking: before,
            inviter,
        } = booking;
        let mut checks = Checks::new();
        checks.check(is_email(&input.email), "email", "is not an email address");
        checks.text("name", &input.name, 200);
        checks.into_result()?;
        let Some(meeting) = before
            .meeting
            .clone()
            .filter(|_| before.status == BookingStatus::Confirmed)
        else {
            return Err(DomainError::conflict(
                "booking_not_confirmed",
                "the meeting has no room until the booking is confirmed",
            ));
        };
        let invitee = Invitee {
            email: input.email.trim().to_string(),
            name: input.name,
            invited_by: inviter.id.clone(),
        };
        let known = before
            .invitees
            .iter()
            .any(|i| i.email.eq_ignore_ascii_case(&invitee.email));
        if known {
            // Invited before: that invitation's email was stored with it, and goes out.
            return Ok(invitee);
        }
        if before.invitees.len() >= 20 {
            return Err(DomainError::conflict(
                "too_many_invitees",
                "a meeting takes at most 20 invitees",
            ));
        }
        let exhibitor = self
            .repo
            .exhibitor(&before.exhibitor_id)
            .await?
            .map(|e| e.name)
            .unwrap_or_default();
        let buyer = self
            .repo
            .account(&before.buyer_id)
            .await?
            .map(|b| b.name)
            .unwrap_or_default();
        let facts = MeetingFacts {
            exhibitor: &exhibitor,
            buyer: &buyer,
            starts_at: before.starts_at,
            join_url: &meeting.join_url,
        };
        // In the inviter's language and zone: the colleague is theirs.
        let (subject, text) =
            invitation(inviter.language, &inviter.time_zone, &invitee.name, &facts);
        let email = NotifierJob::Email {
            key: format!("invite:{}:{}", before.id, invitee.email.to_lowercase()),
            to: invitee.email.clone(),
            subject,
            text,
        };
        let now = self.now();
        let jobs = [email.outgoing(self.ports.ids.new_id("job"), now, now)?];
        let mut after = before.clone();
        after.invitees.push(invitee.clone());
        self.repo
            .save_booking_details(&before, &after, &jobs)
            .await?
            .map_err(booking_change_refused)?;
        Ok(invitee)
    }

    /// The booking's calendar entry, for its participants.
    pub async fn calendar(&self, caller: &Account, bid: &str) -> Result<String, DomainError> {
        let booking = self
            .repo
            .booking(bid)
            .await?
            .ok_or(DomainError::NotFound("booking"))?;
        if !booking.is_participant(&caller.id) {
            return Err(DomainError::NotFound("booking"));
        }
        let exhibitor = self
            .repo
            .exhibitor(&booking.exhibitor_id)
            .await?
            .map(|e| e.name)
            .unwrap_or_default();
        let buyer = self
            .repo
            .account(&booking.buyer_id)
            .await?
            .map(|b| b.name)
            .unwrap_or_default();
        Ok(crate::calendar::booking_calendar(
            &booking, &exhibitor, &buyer,
        ))
    }

    /// The caller's schedule: a buyer's bookings, an exhibitor account's assigned ones.
    pub async fn my_bookings(
        &self,
        caller: &Account,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        if caller.role == Role::Organizer {
            return Err(DomainError::forbidden("organizers have no schedule"));
        }
        self.repo.schedule(&caller.id, page).await
    }

    pub async fn exhibitor_bookings(
        &self,
        caller: &Account,
        eid: &str,
        status: Option<BookingStatus>,
        page: &PageRequest,
    ) -> Result<PageOf<Booking>, DomainError> {
        require_main(caller, eid)?;
        self.repo.exhibitor_bookings(eid, status, page).await
    }
}

/// `free`: nobody has booked it; `booked`: somebody has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum SlotStatus {
    Free,
    Booked,
}
