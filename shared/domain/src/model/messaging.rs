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

    /// The id of the message committed next in this conversation: `candidate` (made by
    /// whichever process sends it), or, where that process's clock lags the conversation's
    /// last message, the id just after that one. A message commits only on the
    /// conversation as read, so a conversation's message ids grow in commit order: its
    /// sequence. A reader catching up with `after=` never skips a message, and a read
    /// marker counts exactly what committed after it.
    pub fn next_message_id(&self, candidate: String) -> String {
        if candidate > self.activity {
            return candidate;
        }
        let Some((prefix, last)) = self.activity.split_once('_') else {
            return candidate;
        };
        match ulid::Ulid::from_string(&last.to_ascii_uppercase()) {
            Ok(last) => format!(
                "{prefix}_{}",
                ulid::Ulid(last.0.saturating_add(1))
                    .to_string()
                    .to_ascii_lowercase()
            ),
            Err(_) => candidate,
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

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn conversation(activity: &str) -> Conversation {
        Conversation {
            id: "cnv_1".into(),
            buyer_id: "acc_buyer".into(),
            exhibitor_id: "exh_1".into(),
            assignee_id: "acc_rep".into(),
            context: None,
            created_at: Utc::now(),
            last_message_at: Utc::now(),
            last_message_preview: None,
            activity: activity.into(),
            buyer_unread: 0,
            exhibitor_unread: 0,
            last_buyer_message_at: None,
            offline_reply_at: None,
        }
    }

    #[test]
    fn message_ids_follow_the_conversation_whatever_the_senders_clock() {
        let c = conversation("msg_01m98yg3f3yvb048j9nd4ax3wq");
        // A sender whose clock runs ahead keeps its id.
        let ahead = "msg_01m98yg3f4aaaaaaaaaaaaaaaa".to_string();
        assert_eq!(c.next_message_id(ahead.clone()), ahead);
        // One whose clock lags gets the id right after the last message.
        let behind = c.next_message_id("msg_01m98yg3f2zzzzzzzzzzzzzzzz".into());
        assert_eq!(behind, "msg_01m98yg3f3yvb048j9nd4ax3wr");
        assert!(behind > c.activity);
        // A random part of all ones carries into the time part: still later.
        let full = conversation("msg_01m98yg3f3zzzzzzzzzzzzzzzz");
        let next = full.next_message_id("msg_01m98yg3f3000000000000000".into());
        assert!(next > full.activity, "{next}");
        assert_eq!(next.len(), full.activity.len());
    }

    #[test]
    fn a_message_counts_for_the_other_side() {
        let mut c = conversation("msg_01m98yg3f3yvb048j9nd4ax3wq");
        let message = |sender: &str| Message {
            id: "msg_01m98yg3f4yvb048j9nd4ax3wq".into(),
            conversation_id: "cnv_1".into(),
            sender_id: sender.into(),
            kind: MessageType::Text,
            text: Some("hi".into()),
            image_url: None,
            card: None,
            created_at: Utc::now(),
        };
        c.add_message(&message("acc_buyer"));
        assert_eq!((c.buyer_unread, c.exhibitor_unread), (0, 1));
        c.add_message(&message("acc_rep"));
        assert_eq!((c.buyer_unread, c.exhibitor_unread), (1, 1));
        assert_eq!(
            c.side_of("acc_main"),
            Side::Exhibitor,
            "main writes for the exhibitor"
        );
    }
}
