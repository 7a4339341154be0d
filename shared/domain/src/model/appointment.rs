use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A negotiation slot of an exhibitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    pub id: String,
    pub exhibitor_id: String,
    #[serde(with = "crate::time::millis")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "crate::time::millis")]
    pub ends_at: DateTime<Utc>,
    /// Active bookings (requested or confirmed).
    #[serde(default)]
    pub booked: u32,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
}

/// Slots last 30 minutes unless told otherwise, and at most four hours.
pub const DEFAULT_SLOT_MINUTES: i64 = 30;
pub const MAX_SLOT_MINUTES: i64 = 240;
/// Reminders go out this long before a meeting starts.
pub const REMINDER_LEAD: Duration = Duration::minutes(15);

impl Slot {
    pub fn overlaps(&self, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> bool {
        self.starts_at < ends_at && starts_at < self.ends_at
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum BookingStatus {
    /// Booked by a buyer, waiting for the main account to pick the receiving account.
    Requested,
    Confirmed,
    Cancelled,
}

fn meeting_providers() -> utoipa::openapi::Object {
    super::one_of(&["jitsi"])
}

/// A meeting room for a confirmed booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Meeting {
    /// Who hosts the room (`jitsi`: a Jitsi-style room at FAIRLINK_MEETING_BASE_URL).
    #[schema(schema_with = meeting_providers)]
    pub provider: String,
    pub room_id: String,
    pub join_url: String,
}

/// A colleague invited to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Invitee {
    pub email: String,
    pub name: String,
    pub invited_by: String,
}

/// A buyer's booking of a slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Booking {
    pub id: String,
    pub slot_id: String,
    pub exhibitor_id: String,
    pub buyer_id: String,
    #[serde(with = "crate::time::millis")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "crate::time::millis")]
    pub ends_at: DateTime<Utc>,
    pub status: BookingStatus,
    #[schema(required = true)]
    pub message: Option<String>,
    #[schema(required = true)]
    pub intent_id: Option<String>,
    /// The exhibitor account receiving the buyer, once confirmed.
    #[schema(required = true)]
    pub assignee_id: Option<String>,
    #[schema(required = true)]
    pub meeting: Option<Meeting>,
    #[serde(default)]
    #[schema(required = true)]
    pub invitees: Vec<Invitee>,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub cancelled_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub cancelled_by: Option<String>,
}

impl Booking {
    pub fn reminder_at(&self) -> DateTime<Utc> {
        self.starts_at - REMINDER_LEAD
    }

    /// The buyer and the assignee: who may read it, invite, and get its calendar entry.
    pub fn is_participant(&self, account_id: &str) -> bool {
        self.buyer_id == account_id || self.assignee_id.as_deref() == Some(account_id)
    }
}
