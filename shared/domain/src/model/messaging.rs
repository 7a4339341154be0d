use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Card;

fn context_kinds() -> utoipa::openapi::Object {
    super::one_of(&["exhibit", "intent"])
}

/// What a conversation started from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationContext {
    /// `exhibit` or `intent`.
    #[schema(schema_with = context_kinds)]
    pub kind: String,
    pub id: String,
    pub title: String,
}

/// A buyer ↔ exhibitor conversation, assigned to one exhibitor account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    pub id: String,
    pub buyer_id: String,
    pub exhibitor_id: String,
    pub assignee_id: String,
    #[schema(required = true)]
    pub context: Option<ConversationContext>,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::time::millis")]
    pub last_message_at: DateTime<Utc>,
    #[schema(required = true)]
    pub last_message_preview: Option<String>,
    /// The id of the latest message (a new id at creation): lists sort by it.
    pub activity: String,
    /// Messages the buyer has not read.
    #[serde(default)]
    #[schema(required = true)]
    pub buyer_unread: u32,
    /// Messages the exhibitor side has not read.
    #[serde(default)]
    #[schema(required = true)]
    pub exhibitor_unread: u32,
    /// When the buyer last wrote (auto-replies look at it).
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub last_buyer_message_at: Option<DateTime<Utc>>,
    /// When the offline auto-reply last went out (at most once an hour).
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub offline_reply_at: Option<DateTime<Utc>>,
}

/// The two sides of a conversation: its buyer, and the exhibitor's accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Buyer,
    Exhibitor,
}

impl Conversation {
    /// The side an account writes from: the buyer's, or the exhibitor's (its assignee, an
    /// auto-reply on its behalf, the main account).
    pub fn side_of(&self, account_id: &str) -> Side {
        if account_id == self.buyer_id {
            Side::Buyer
        } else {
            Side::Exhibitor
        }
    }

    /// A side's unread count.
    pub fn unread_mut(&mut self, side: Side) -> &mut u32 {
        match side {
            Side::Buyer => &mut self.buyer_unread,
            Side::Exhibitor => &mut self.exhibitor_unread,
        }
    }

    /// The conversation after a message: it moves up the lists, and the other side (of its
    /// sender's) has one more unread.
    pub fn add_message(&mut self, message: &Message) {
        self.activity = message.id.clone();
        self.last_message_at = message.created_at;
        self.last_message_preview = Some(message.preview());
        let reader = match self.side_of(&message.sender_id) {
            Side::Buyer => Side::Exhibitor,
            Side::Exhibitor => Side::Buyer,
        };
        *self.unread_mut(reader) += 1;
    }
}

/// Text messages hold at most this many characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum MessageType {
    Text,
    Image,
    Card,
    /// Sent on the exhibitor's behalf (API.md, auto-replies).
    AutoReply,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub conversation_id: String,
    pub sender_id: String,
    #[serde(rename = "type")]
    pub kind: MessageType,
    #[schema(required = true)]
    pub text: Option<String>,
    #[schema(required = true)]
    pub image_url: Option<String>,
    #[schema(required = true)]
    pub card: Option<Card>,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
}

impl Message {
    /// A line for conversation lists.
    pub fn preview(&self) -> String {
        match self.kind {
            MessageType::Text | MessageType::AutoReply => self
                .text
                .clone()
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect(),
            MessageType::Image => "[image]".into(),
            MessageType::Card => "[business card]".into(),
        }
    }
}

/// A message's translation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Translation {
    pub text: String,
    pub source_lang: String,
    pub target_lang: String,
}
