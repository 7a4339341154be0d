//! The messaging feature's use cases: opening conversations by the distribution rules,
//! messages with auto-replies, read markers, transfer, lists and translation.

use chrono::{DateTime, Duration, Utc};
use fairlink_domain::{
    DomainError, Ports,
    distribution::Distribution,
    model::{
        Account, Conversation, ConversationContext, Language, MAX_TEXT_CHARS, Message, MessageType,
        Notification, NotificationKind, Permission, Role, Translation, is_https_url,
    },
    ports::TranslateError,
    validate::Checks,
};
use fairlink_store::{Order, PageOf, PageRequest, Repository};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// An exhibitor account's list holds its most recent conversations only.
pub const ASSIGNEE_LIST_LIMIT: usize = 2_000;
/// The offline auto-reply goes out at most this often per conversation.
const OFFLINE_REPLY_EVERY: Duration = Duration::hours(1);

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

/// Which side of a conversation an account is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Buyer,
    Exhibitor,
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

    /// Opens the conversation (201), or returns the open one between the two (200).
    pub async fn open(
        &self,
        caller: &Account,
        input: OpenConversation,
    ) -> Result<(bool, ConversationView), DomainError> {
        match caller.role {
            Role::Buyer => self.open_as_buyer(caller, input).await,
            Role::Exhibitor => self.open_as_exhibitor(caller, input).await,
            Role::Organizer => Err(DomainError::forbidden("organizers do not chat")),
        }
    }

    async fn open_as_buyer(
        &self,
        caller: &Account,
        input: OpenConversation,
    ) -> Result<(bool, ConversationView), DomainError> {
        let mut checks = Checks::new();
        let Some(eid) = input.exhibitor_id.clone() else {
            return Err(DomainError::field("exhibitorId", "is required"));
        };
        let exhibitor = self.repo.exhibitor(&eid).await?;
        checks.check(exhibitor.is_some(), "exhibitorId", "is not an exhibitor");
        let exhibit = match &input.exhibit_id {
            Some(xid) => {
                let exhibit = self
                    .repo
                    .exhibit(xid)
                    .await?
                    .filter(|x| x.exhibitor_id == eid);
                checks.check(
                    exhibit.is_some(),
                    "exhibitId",
                    "is not an exhibit of this exhibitor",
                );
                exhibit
            }
            None => None,
        };
        let intent = match &input.intent_id {
            Some(iid) => {
                let intent = self
                    .repo
                    .intent(iid)
                    .await?
                    .filter(|i| i.buyer_id == caller.id);
                checks.check(intent.is_some(), "intentId", "is not one of your intents");
                intent
            }
            None => None,
        };
        checks.into_result()?;
        let exhibitor = exhibitor.ok_or(DomainError::NotFound("exhibitor"))?;
        if let Some(existing) = self.repo.conversation_of_pair(&caller.id, &eid).await? {
            return Ok((false, self.view(caller, existing).await?));
        }
        let context = match (&exhibit, &intent) {
            (Some(x), _) => Some(ConversationContext {
                kind: "exhibit".into(),
                id: x.id.clone(),
                title: x.details.name.clone(),
            }),
            (None, Some(i)) => Some(ConversationContext {
                kind: "intent".into(),
                id: i.id.clone(),
                title: i.product_name.clone(),
            }),
            (None, None) => None,
        };
        // Assigned by the exhibitor's rules for conversations.
        let settings = self.repo.distribution(&eid).await?;
        let accounts = self.repo.all_exhibitor_accounts(&eid).await?;
        let distribution = Distribution {
            mode: settings.im_mode,
            permission: Permission::Im,
            exhibit_reps: exhibit.as_ref().map(|x| x.rep_ids.as_slice()),
            exhibit_zone: exhibit.as_ref().map(|x| x.details.zone_id.as_str()),
            exhibitor_zones: &exhibitor.zone_ids,
            continuing_with: None,
        };
        let assignee = distribution
            .pick(&accounts, &mut rand::rng())
            .map(|a| a.id.clone())
            .unwrap_or(exhibitor.main_account_id.clone());
        self.create(caller, caller.id.clone(), eid, assignee, context)
            .await
    }

    /// An exhibitor account writes first, only about an intent delivered to or matched with
    /// its exhibitor: no cold messages.
    async fn open_as_exhibitor(
        &self,
        caller: &Account,
        input: OpenConversation,
    ) -> Result<(bool, ConversationView), DomainError> {
        let eid = caller.exhibitor_id.clone().unwrap_or_default();
        if !caller.can(Permission::Im) {
            return Err(DomainError::forbidden("this needs the `im` permission"));
        }
        let mut checks = Checks::new();
        checks.check(input.buyer_id.is_some(), "buyerId", "is required");
        checks.check(input.intent_id.is_some(), "intentId", "is required");
        checks.into_result()?;
        let (buyer_id, iid) = (
            input.buyer_id.unwrap_or_default(),
            input.intent_id.unwrap_or_default(),
        );
        let intent = self
            .repo
            .intent(&iid)
            .await?
            .filter(|i| i.buyer_id == buyer_id);
        let known = match &intent {
            Some(_) => {
                self.repo.delivery(&iid, &eid).await?.is_some()
                    || self.repo.intent_matched_exhibitor(&iid, &eid).await?
            }
            None => false,
        };
        let Some(intent) = intent.filter(|_| known) else {
            return Err(DomainError::forbidden(
                "an exhibitor writes first only about an intent delivered to or matched with it",
            ));
        };
        if let Some(existing) = self.repo.conversation_of_pair(&buyer_id, &eid).await? {
            return Ok((false, self.view(caller, existing).await?));
        }
        let context = Some(ConversationContext {
            kind: "intent".into(),
            id: intent.id.clone(),
            title: intent.product_name.clone(),
        });
        self.create(caller, buyer_id, eid, caller.id.clone(), context)
            .await
    }

    async fn create(
        &self,
        caller: &Account,
        buyer_id: String,
        eid: String,
        assignee_id: String,
        context: Option<ConversationContext>,
    ) -> Result<(bool, ConversationView), DomainError> {
        let now = self.now();
        let conversation = Conversation {
            id: self.ports.ids.new_id("cnv"),
            buyer_id,
            exhibitor_id: eid,
            assignee_id,
            context,
            created_at: now,
            last_message_at: now,
            last_message_preview: None,
            activity: self.ports.ids.new_id("msg"),
            buyer_unread: 0,
            exhibitor_unread: 0,
            last_buyer_message_at: None,
            offline_reply_at: None,
        };
        let notice = self.assigned_notice(&conversation).await?;
        if self
            .repo
            .open_conversation(&conversation, (&conversation.assignee_id, &notice))
            .await?
        {
            return Ok((true, self.view(caller, conversation).await?));
        }
        // Opened by someone else a moment ago: that one.
        let existing = self
            .repo
            .conversation_of_pair(&conversation.buyer_id, &conversation.exhibitor_id)
            .await?
            .ok_or_else(|| DomainError::Internal("a pair without its conversation".into()))?;
        Ok((false, self.view(caller, existing).await?))
    }

    async fn assigned_notice(&self, c: &Conversation) -> Result<Notification, DomainError> {
        let language = self
            .repo
            .account(&c.assignee_id)
            .await?
            .map(|a| a.language)
            .unwrap_or(Language::En);
        let buyer = self
            .repo
            .account(&c.buyer_id)
            .await?
            .map(|b| b.name)
            .unwrap_or_default();
        let (title, body) = match language {
            Language::Zh => (
                "新的会话".to_string(),
                format!("与采购商 {buyer} 的会话已分配给您。"),
            ),
            Language::En => (
                "New conversation".to_string(),
                format!("The conversation with {buyer} was assigned to you."),
            ),
        };
        Ok(Notification::new(
            self.ports.ids.new_id("ntf"),
            NotificationKind::ConversationAssigned,
            title,
            body,
            json!({"conversationId": c.id, "buyerId": c.buyer_id}),
            self.now(),
        ))
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

    /// The conversation and the caller's side in it, for its two participants only.
    /// The conversation as just read, on a first attempt; read again after a lost race.
    async fn latest(
        &self,
        read: &mut Option<Conversation>,
        cid: &str,
    ) -> Result<Conversation, DomainError> {
        match read.take() {
            Some(c) => Ok(c),
            None => self
                .repo
                .conversation(cid)
                .await?
                .ok_or(DomainError::NotFound("conversation")),
        }
    }

    async fn participating(
        &self,
        caller: &Account,
        cid: &str,
    ) -> Result<(Conversation, Side), DomainError> {
        let c = self.readable(caller, cid).await?;
        if c.buyer_id == caller.id {
            Ok((c, Side::Buyer))
        } else if c.assignee_id == caller.id {
            Ok((c, Side::Exhibitor))
        } else {
            Err(DomainError::forbidden(
                "only the buyer and the assigned account write here",
            ))
        }
    }

    pub async fn get(&self, caller: &Account, cid: &str) -> Result<ConversationView, DomainError> {
        let c = self.readable(caller, cid).await?;
        self.view(caller, c).await
    }

    /// A buyer's conversations; an exhibitor account's assigned ones (its most recent 2,000);
    /// with `scope=all`, the main account's whole exhibitor's. Latest activity first.
    pub async fn list(
        &self,
        caller: &Account,
        all: bool,
        page: &PageRequest,
    ) -> Result<PageOf<ConversationView>, DomainError> {
        let conversations = match caller.role {
            Role::Buyer => {
                self.repo
                    .account_conversations(&caller.id, true, page)
                    .await?
            }
            Role::Exhibitor if all => {
                let eid = caller.exhibitor_id.clone().unwrap_or_default();
                if !caller.is_main {
                    return Err(DomainError::forbidden("scope=all is for the main account"));
                }
                self.repo.exhibitor_conversations(&eid, page).await?
            }
            Role::Exhibitor if !caller.can(Permission::Im) => return Err(no_im()),
            Role::Exhibitor => {
                // The cursor carries how far down the list it is: the list ends at 2,000.
                let (seen, inner) = split_cursor(page.cursor.as_deref())?;
                let remaining = ASSIGNEE_LIST_LIMIT.saturating_sub(seen);
                let limit = page.limit.min(remaining);
                if limit == 0 {
                    return Ok(PageOf {
                        items: Vec::new(),
                        next_cursor: None,
                    });
                }
                let inner_page = PageRequest {
                    limit,
                    cursor: inner,
                };
                let mut result = self
                    .repo
                    .account_conversations(&caller.id, false, &inner_page)
                    .await?;
                let seen = seen + result.items.len();
                result.next_cursor = result
                    .next_cursor
                    .filter(|_| seen < ASSIGNEE_LIST_LIMIT)
                    .map(|c| format!("{seen}.{c}"));
                result
            }
            Role::Organizer => return Err(DomainError::forbidden("organizers do not chat")),
        };
        self.views(caller, conversations).await
    }

    /// Messages in order: the newest first by default, oldest first with `order=asc`, or
    /// those after a message (for new ones) oldest first.
    pub async fn messages(
        &self,
        caller: &Account,
        cid: &str,
        oldest_first: bool,
        after: Option<&str>,
        page: &PageRequest,
    ) -> Result<PageOf<Message>, DomainError> {
        let c = self.readable(caller, cid).await?;
        let order = if oldest_first || after.is_some() {
            Order::OldestFirst
        } else {
            Order::NewestFirst
        };
        self.repo.messages(&c.id, order, after, page).await
    }

    /// Sends a message; a buyer's may bring an auto-reply on the exhibitor's behalf.
    /// The conversation the caller takes part in, with its side: read and checked before
    /// what the caller sends in it is read, so a caller without the right hears 404 or 403
    /// whatever it sent.
    pub async fn participation(
        &self,
        caller: &Account,
        cid: &str,
    ) -> Result<Participation, DomainError> {
        let (conversation, side) = self.participating(caller, cid).await?;
        Ok(Participation { conversation, side })
    }

    /// The conversation the caller (its assignee, or main) may hand on, checked before the
    /// transfer is read.
    pub async fn conversation_to_transfer(
        &self,
        caller: &Account,
        cid: &str,
    ) -> Result<ConversationToTransfer, DomainError> {
        let conversation = self.readable(caller, cid).await?;
        if conversation.assignee_id != caller.id && !caller.is_main_of(&conversation.exhibitor_id) {
            return Err(DomainError::forbidden(
                "only the assignee or the main account may transfer it",
            ));
        }
        Ok(ConversationToTransfer(conversation))
    }

    pub async fn send(
        &self,
        caller: &Account,
        participation: Participation,
        input: NewMessage,
    ) -> Result<Message, DomainError> {
        let Participation {
            conversation: read,
            side,
        } = participation;
        let cid = read.id.clone();
        let cid = cid.as_str();
        // The first attempt uses the conversation just read; a lost race reads it again.
        let mut read = Some(read);
        let mut checks = Checks::new();
        let kind = match input.kind.as_str() {
            "text" => {
                checks.paragraphs(
                    "text",
                    input.text.as_deref().unwrap_or_default(),
                    MAX_TEXT_CHARS,
                );
                MessageType::Text
            }
            "image" => {
                checks.check(
                    input.image_url.as_deref().is_some_and(is_https_url),
                    "imageUrl",
                    "must be an https URL",
                );
                MessageType::Image
            }
            "card" => MessageType::Card,
            other => {
                return Err(DomainError::Unprocessable {
                    code: "unsupported_message_type",
                    detail: format!("`{other}` messages are not supported: text, image or card"),
                });
            }
        };
        checks.into_result()?;
        let card = match kind {
            MessageType::Card => Some(self.repo.own_card(caller, self.now()).await?),
            _ => None,
        };
        for _ in 0..5 {
            let before = self.latest(&mut read, cid).await?;
            let now = self.now();
            let message = Message {
                id: self.ports.ids.new_id("msg"),
                conversation_id: before.id.clone(),
                sender_id: caller.id.clone(),
                kind,
                text: if kind == MessageType::Text {
                    input.text.clone()
                } else {
                    None
                },
                image_url: if kind == MessageType::Image {
                    input.image_url.clone()
                } else {
                    None
                },
                card: card.clone(),
                created_at: now,
            };
            let mut after = before.clone();
            after.add_message(&message, side == Side::Buyer);
            let mut written = vec![message.clone()];
            if side == Side::Buyer
                && let Some(reply) = self.auto_reply(&before, now).await?
            {
                if reply.1 {
                    after.offline_reply_at = Some(now);
                }
                after.add_message(&reply.0, false);
                written.push(reply.0);
            }
            if side == Side::Buyer {
                after.last_buyer_message_at = Some(now);
            }
            if self
                .repo
                .save_conversation(&before, &after, &written, None, now)
                .await?
            {
                return Ok(message);
            }
        }
        Err(DomainError::conflict(
            "conflict",
            "the conversation is busy; try again",
        ))
    }

    /// The auto-reply a buyer's message brings, if any (and whether it is the offline one):
    /// the online text on the conversation's first buyer message while the assignee is
    /// online; the offline text while offline, at most once an hour.
    async fn auto_reply(
        &self,
        c: &Conversation,
        now: DateTime<Utc>,
    ) -> Result<Option<(Message, bool)>, DomainError> {
        let replies = self.repo.auto_replies(&c.exhibitor_id).await?;
        let online = self
            .repo
            .account(&c.assignee_id)
            .await?
            .is_some_and(|a| a.online && a.active);
        let (text, offline) = if online {
            match (&replies.online, c.last_buyer_message_at) {
                (Some(text), None) => (text.clone(), false),
                _ => return Ok(None),
            }
        } else {
            let recent = c
                .offline_reply_at
                .is_some_and(|at| now - at < OFFLINE_REPLY_EVERY);
            match (&replies.offline, recent) {
                (Some(text), false) => (text.clone(), true),
                _ => return Ok(None),
            }
        };
        Ok(Some((
            Message {
                id: self.ports.ids.new_id("msg"),
                conversation_id: c.id.clone(),
                sender_id: c.assignee_id.clone(),
                kind: MessageType::AutoReply,
                text: Some(text),
                image_url: None,
                card: None,
                created_at: now,
            },
            offline,
        )))
    }

    /// Marks the caller's side read up to a message: its unread count becomes the number of
    /// messages after it.
    pub async fn mark_read(
        &self,
        caller: &Account,
        participation: Participation,
        input: ReadMarker,
    ) -> Result<ConversationView, DomainError> {
        let Participation {
            conversation: read,
            side,
        } = participation;
        let cid = read.id.clone();
        let cid = cid.as_str();
        // The first attempt uses the conversation just read; a lost race reads it again.
        let mut read = Some(read);
        if self
            .repo
            .message(cid, &input.up_to_message_id)
            .await?
            .is_none()
        {
            return Err(DomainError::field(
                "upToMessageId",
                "is not a message of this conversation",
            ));
        }
        for _ in 0..5 {
            let before = self.latest(&mut read, cid).await?;
            // Unread: what the other side (or an auto-reply, for the buyer) wrote since.
            let buyer_id = before.buyer_id.clone();
            let unread = self
                .repo
                .count_messages_after(cid, &input.up_to_message_id, |m| match side {
                    Side::Buyer => m.sender_id != buyer_id,
                    Side::Exhibitor => m.sender_id == buyer_id,
                })
                .await?;
            let mut after = before.clone();
            match side {
                Side::Buyer => after.buyer_unread = unread,
                Side::Exhibitor => after.exhibitor_unread = unread,
            }
            if after == before
                || self
                    .repo
                    .save_conversation(&before, &after, &[], None, self.now())
                    .await?
            {
                return self.view(caller, after).await;
            }
        }
        Err(DomainError::conflict(
            "conflict",
            "the conversation is busy; try again",
        ))
    }

    /// Hands the conversation to an active colleague with `im` (its assignee or main); the
    /// history stays with the conversation.
    pub async fn transfer(
        &self,
        caller: &Account,
        conversation: ConversationToTransfer,
        input: TransferInput,
    ) -> Result<ConversationView, DomainError> {
        let ConversationToTransfer(before) = conversation;
        let to = self
            .repo
            .account(&input.to_account_id)
            .await?
            .filter(|a| a.belongs_to(&before.exhibitor_id) && a.can(Permission::Im))
            .ok_or_else(|| {
                DomainError::field(
                    "toAccountId",
                    "is not an active account of this exhibitor with the `im` permission",
                )
            })?;
        if to.id == before.assignee_id {
            return self.view(caller, before).await;
        }
        let mut after = before.clone();
        after.assignee_id = to.id.clone();
        let notice = self.assigned_notice(&after).await?;
        if !self
            .repo
            .save_conversation(&before, &after, &[], Some((&to.id, &notice)), self.now())
            .await?
        {
            return Err(DomainError::conflict(
                "conflict",
                "the conversation changed meanwhile; read it again",
            ));
        }
        self.view(caller, after).await
    }

    /// A message's text in another language (cached per message and language); the original
    /// stays in the message.
    pub async fn translate(
        &self,
        caller: &Account,
        cid: &str,
        mid: &str,
        lang: &str,
    ) -> Result<Translation, DomainError> {
        self.participating(caller, cid).await?;
        let lang = lang.trim().to_lowercase();
        if !(2..=7).contains(&lang.len())
            || !lang.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        {
            return Err(DomainError::field(
                "lang",
                "must be a language code such as en or zh",
            ));
        }
        let message = self
            .repo
            .message(cid, mid)
            .await?
            .ok_or(DomainError::NotFound("message"))?;
        let Some(text) = message.text.filter(|t| !t.trim().is_empty()) else {
            return Err(DomainError::Unprocessable {
                code: "nothing_to_translate",
                detail: "the message has no text".into(),
            });
        };
        if let Some(cached) = self.repo.translation(mid, &lang).await? {
            return Ok(cached);
        }
        let translation = self
            .ports
            .translator
            .translate(&text, &lang)
            .await
            .map_err(|err| match err {
                TranslateError::NotConfigured | TranslateError::Unavailable(_) => {
                    DomainError::Unavailable {
                        code: "translation_unavailable",
                        detail: err.to_string(),
                    }
                }
                TranslateError::UnsupportedLanguage(_) => DomainError::Unprocessable {
                    code: "unsupported_language",
                    detail: err.to_string(),
                },
            })?;
        self.repo
            .put_translation(mid, &translation, self.now())
            .await?;
        Ok(translation)
    }
}

/// `<seen>.<cursor>`: how many items came before, and where to go on.
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

fn split_cursor(cursor: Option<&str>) -> Result<(usize, Option<String>), DomainError> {
    match cursor {
        None => Ok((0, None)),
        Some(c) => {
            let (seen, inner) = c
                .split_once('.')
                .ok_or_else(|| DomainError::field("cursor", "is not a cursor of this list"))?;
            let seen = seen
                .parse()
                .map_err(|_| DomainError::field("cursor", "is not a cursor of this list"))?;
            Ok((seen, Some(inner.to_string())))
        }
    }
}
