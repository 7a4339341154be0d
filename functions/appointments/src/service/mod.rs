//! The appointments feature's use cases: slots, bookings, assignment with a meeting room,
//! cancellation, invitations, schedules, a module each; reminders are handed to the notifier
//! queue.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use fairlink_domain::{
    DomainError, Ports,
    access::{require_main, require_role},
    jobs::OutgoingJob,
    jobs::{NotifierJob, reminder_delay},
    model::{
        Account, Booking, BookingStatus, DEFAULT_SLOT_MINUTES, Invitee, Language, MAX_SLOT_MINUTES,
        Notification, NotificationKind, Permission, Role, Slot,
    },
    optimistic::{Attempt, Contended, retry_on_lost_race},
    reminders::{Meeting, beijing, confirmation, invitation},
    slot_windows::{self, DailyWindow, SlotTime},
    validate::{Checks, instant_in_range, is_email, parse_time_zone},
};
use fairlink_store::{
    BookingChangeRefusal, BookingRefusal, MAX_SLOTS_PER_WRITE, NotificationFor, PageOf,
    PageRequest, ReminderPath, Repository, SlotRefusal,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

mod assignment;
mod bookings;
mod invitations;
mod slots;

pub use slots::SlotStatus;

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
}
