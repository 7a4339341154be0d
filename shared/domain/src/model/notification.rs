use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// The kinds of message-centre entries (API.md "Notifications").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum NotificationKind {
    #[serde(rename = "account.created")]
    AccountCreated,
    #[serde(rename = "intent.assigned")]
    IntentAssigned,
    #[serde(rename = "intent.matched")]
    IntentMatched,
    #[serde(rename = "recommendation.pushed")]
    RecommendationPushed,
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    #[serde(rename = "booking.requested")]
    BookingRequested,
    #[serde(rename = "booking.confirmed")]
    BookingConfirmed,
    #[serde(rename = "booking.cancelled")]
    BookingCancelled,
    #[serde(rename = "card.received")]
    CardReceived,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub data: Value,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub read_at: Option<DateTime<Utc>>,
}

impl Notification {
    pub fn new(
        id: String,
        kind: NotificationKind,
        title: impl Into<String>,
        body: impl Into<String>,
        data: Value,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            kind,
            title: title.into(),
            body: body.into(),
            data,
            created_at: now,
            read_at: None,
        }
    }
}
