//! The messaging feature's use cases: opening conversations by the distribution rules,
//! messages with auto-replies, read markers, transfer, lists and translation, a module each.

use chrono::{DateTime, Duration, Utc};
use fairlink_domain::{
    DomainError, Ports,
    distribution::Distribution,
    model::{
        Account, Conversation, ConversationContext, MAX_TEXT_CHARS, Message, MessageType,
        Notification, NotificationKind, Permission, Role, Side, Translation, is_https_url,
    },
    optimistic::{Attempt, Contended, retry_on_lost_race},
    ports::TranslateError,
    validate::Checks,
};
use fairlink_store::{Gone, NotificationFor, Order, PageOf, PageRequest, Repository};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

mod lists;
mod open;
mod read_marker;
mod send;
mod transfer;
mod translate;

/// An exhibitor account's list holds its most recent conversations only.
pub const ASSIGNEE_LIST_LIMIT: usize = 2_000;
/// The offline auto-reply goes out at most this often per conversation.
const OFFLINE_REPLY_EVERY: Duration = Duration::hours(1);
/// A conversation's writes are tried this often against racing ones.
const CONVERSATION: Contended = Contended::on("the conversation", 5);

/// POST /v1/conversations: a buyer gives `exhibitorId` (and `exhibitId` or `intentId` for
/// context); an exhibitor account gives `buyerId` and `intentId`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OpenConversation {
    pub exhibitor_id: Option<String>,
    pub exhibit_id: Option<String>,
    pub intent_id: Option<String>,
    pub buyer_id: Option<String>,
}

impl fairlink_domain::validate::Validate for OpenConversation {}

fn new_message_types() -> utoipa::openapi::Object {
    fairlink_domain::model::one_of(&["text", "image", "card"])
}

/// POST /v1/conversations/{cid}/messages.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewMessage {
    /// `text`, `image` or `card`.
    #[serde(rename = "type")]
    #[schema(schema_with = new_message_types)]
    pub kind: String,
    pub text: Option<String>,
    pub image_url: Option<String>,
}

impl fairlink_domain::validate::Validate for NewMessage {}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadMarker {
    pub up_to_message_id: String,
}

impl fairlink_domain::validate::Validate for ReadMarker {}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransferInput {
    pub to_account_id: String,
}

impl fairlink_domain::validate::Validate for TransferInput {}

/// A conversation as its reader sees it: with the reader's unread count, and whether the
/// exhibitor account it is assigned to is online (a page of it open, or set online with
/// `PUT /v1/me/presence`; see README, "Real-time events").
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    #[serde(flatten)]
    pub conversation: Conversation,
    pub unread_count: u32,
    pub assignee_online: bool,
}

/// Whose conversations a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationScope {
    /// The caller's own: a buyer's, or those assigned to an exhibitor account.
    Mine,
    /// The whole exhibitor's (its main account only).
    Exhibitor,
}

/// What opening a conversation came to: a new one (201), or the open one between the two
/// (200).
#[derive(Debug)]
pub enum Opened {
    Created(ConversationView),
    Existing(ConversationView),
}

/// A conversation the caller takes part in (from [`MessagingService::participation`]).
pub struct Participation {
    conversation: Conversation,
    side: Side,
}

/// A conversation the caller may transfer (from
/// [`MessagingService::conversation_to_transfer`]).
pub struct ConversationToTransfer(Conversation);

pub struct MessagingService<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

impl<'a> MessagingService<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }

    /// The conversation as `caller` sees it (one read: its assignee's presence).
    async fn view(
        &self,
        caller: &Account,
        conversation: Conversation,
    ) -> Result<ConversationView, DomainError> {
        let online = self
            .repo
            .account(&conversation.assignee_id)
            .await?
            .is_some_and(|a| a.online && a.active);
        Ok(view_with(caller, conversation, online))
    }

    /// A page of conversations as `caller` sees them (one batch read of their assignees).
    async fn views(
        &self,
        caller: &Account,
        page: PageOf<Conversation>,
    ) -> Result<PageOf<ConversationView>, DomainError> {
        let mut assignees: Vec<&str> = page.items.iter().map(|c| c.assignee_id.as_str()).collect();
        assignees.sort_unstable();
        assignees.dedup();
        let online: std::collections::HashSet<String> = self
            .repo
            .accounts(&assignees)
            .await?
            .into_iter()
            .flatten()
            .filter(|a| a.online && a.active)
            .map(|a| a.id)
            .collect();
        Ok(page.map(|c| {
            let assignee_online = online.contains(&c.assignee_id);
            view_with(caller, c, assignee_online)
        }))
    }

    /// The conversation, for its buyer, its assignee, or the exhibitor's main account.
    async fn readable(&self, caller: &Account, cid: &str) -> Result<Conversation, DomainError> {
        let c = self
            .repo
            .conversation(cid)
            .await?
            .ok_or(DomainError::NotFound("conversation"))?;
        if c.buyer_id == caller.id || caller.is_main_of(&c.exhibitor_id) {
            Ok(c)
        } else if c.assignee_id == caller.id {
            // Permissions hold at every request: an assignee whose `im` was taken away keeps
            // the assignment (main sees it and can transfer it) but no longer reads or writes.
            if caller.can(Permission::Im) {
                Ok(c)
            } else {
                Err(no_im())
            }
        } else if caller.belongs_to(&c.exhibitor_id) {
            // A colleague's conversation: the tenant's own, but not the caller's to read.
            Err(DomainError::forbidden(
                "the conversation is assigned to another account",
            ))
        } else {
            Err(DomainError::NotFound("conversation"))
        }
    }

    pub async fn get(&self, caller: &Account, cid: &str) -> Result<ConversationView, DomainError> {
        let c = self.readable(caller, cid).await?;
        self.view(caller, c).await
    }

    /// The conversation the caller takes part in, with its side, for its two participants
    /// only: read and checked before what the caller sends in it is read, so a caller
    /// without the right hears 404 or 403 whatever it sent.
    pub async fn participation(
        &self,
        caller: &Account,
        cid: &str,
    ) -> Result<Participation, DomainError> {
        let conversation = self.readable(caller, cid).await?;
        let side = if conversation.buyer_id == caller.id {
            Side::Buyer
        } else if conversation.assignee_id == caller.id {
            Side::Exhibitor
        } else {
            return Err(DomainError::forbidden(
                "only the buyer and the assigned account write here",
            ));
        };
        Ok(Participation { conversation, side })
    }
}

fn view_with(
    caller: &Account,
    conversation: Conversation,
    assignee_online: bool,
) -> ConversationView {
    let unread_count = if caller.id == conversation.buyer_id {
        conversation.buyer_unread
    } else {
        conversation.exhibitor_unread
    };
    ConversationView {
        conversation,
        unread_count,
        assignee_online,
    }
}

fn no_im() -> DomainError {
    DomainError::forbidden("this account does not have the im permission")
}
