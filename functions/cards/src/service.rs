//! The cards feature's use cases.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fairlink_domain::{
    DomainError, Ports,
    access::require_main,
    model::{
        Account, BookingStatus, Card, Conversation, Message, MessageType, Notification,
        NotificationKind, ReceivedCard, Role,
    },
    optimistic::{Contended, retry_on_lost_race},
    ports::WriteOp,
    validate::Checks,
};
use fairlink_store::{Gone, PageOf, PageRequest, Repository, received_card_writes};

/// A card sent in a conversation is tried this often against racing messages.
const CONVERSATION: Contended = Contended::on("the conversation", 5);
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CardInput {
    pub name: String,
    pub title: String,
    pub company: String,
    pub phone: String,
    pub email: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub social: BTreeMap<String, String>,
}

impl fairlink_domain::validate::Validate for CardInput {}

/// POST /v1/cards/send: to the other side of one of the sender's conversations or bookings.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendCard {
    pub to_account_id: String,
    #[serde(default)]
    pub conversation_id: Option<String>,
    #[serde(default)]
    pub booking_id: Option<String>,
}

impl fairlink_domain::validate::Validate for SendCard {}

pub struct CardsService<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

/// A card may go only where the caller talks or meets.
fn not_yours() -> DomainError {
    DomainError::forbidden(
        "cards go only to the other side of one of your conversations or bookings",
    )
}

impl<'a> CardsService<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    fn now(&self) -> DateTime<Utc> {
        self.ports.clock.now()
    }

    pub async fn mine(&self, caller: &Account) -> Result<Card, DomainError> {
        self.repo.own_card(caller, self.now()).await
    }

    pub async fn put_mine(&self, caller: &Account, input: CardInput) -> Result<Card, DomainError> {
        let card = Card {
            account_id: caller.id.clone(),
            name: input.name,
            title: input.title,
            company: input.company,
            phone: input.phone,
            email: input.email,
            address: input.address,
            website: input.website,
            social: input.social,
            updated_at: self.now(),
        };
        let mut checks = Checks::new();
        card.check(&mut checks);
        checks.into_result()?;
        self.repo.put_card(&card).await?;
        Ok(card)
    }

    /// Sends the caller's card to the other side of one of its conversations or bookings;
    /// in a conversation it also appears there as a card message.
    pub async fn send(
        &self,
        caller: &Account,
        input: SendCard,
    ) -> Result<ReceivedCard, DomainError> {
        if caller.role == Role::Organizer {
            return Err(DomainError::forbidden("organizers do not exchange cards"));
        }
        let in_conversation = self.checked_channel(caller, &input).await?;
        let recipient = self
            .repo
            .account(&input.to_account_id)
            .await?
            .ok_or_else(not_yours)?;
        let card = self.repo.own_card(caller, self.now()).await?;
        let now = self.now();
        let received = ReceivedCard {
            id: self.ports.ids.new_id("rcd"),
            card: card.clone(),
            sender_id: caller.id.clone(),
            recipient_id: recipient.id.clone(),
            conversation_id: input.conversation_id.clone(),
            booking_id: input.booking_id.clone(),
            received_at: now,
        };
        let (title, body) = recipient
            .language
            .texts()
            .title_and_body("card-received", &[("sender", card.name.as_str().into())]);
        let notice = Notification::new(
            self.ports.ids.new_id("ntf"),
            NotificationKind::CardReceived,
            title,
            body,
            json!({"receivedCardId": received.id, "senderId": caller.id, "conversationId": input.conversation_id, "bookingId": input.booking_id}),
            now,
        );
        let recipient_exhibitor = recipient.exhibitor_id.as_deref();
        match in_conversation {
            // In a conversation the card is also a message: one transaction delivers the card
            // and moves the conversation.
            Some(before) => {
                let message = Message {
                    id: self.ports.ids.new_id("msg"),
                    conversation_id: before.id.clone(),
                    sender_id: caller.id.clone(),
                    kind: MessageType::Card,
                    text: None,
                    image_url: None,
                    card: Some(card),
                    created_at: now,
                };
                let delivery = received_card_writes(&received, recipient_exhibitor, &notice);
                self.deliver_in_conversation(before, &message, delivery)
                    .await?
            }
            None => {
                self.repo
                    .receive_card(&received, recipient_exhibitor, &notice)
                    .await?
            }
        }
        Ok(received)
    }

    /// Checks the card goes to the other side of the caller's conversation or booking it
    /// names; the conversation, when it is sent in one (it becomes a message there).
    async fn checked_channel(
        &self,
        caller: &Account,
        input: &SendCard,
    ) -> Result<Option<Conversation>, DomainError> {
        if input.conversation_id.is_none() && input.booking_id.is_none() {
            return Err(DomainError::field(
                "conversationId",
                "give the conversation or the booking the card is sent in",
            ));
        }
        let mut in_conversation = None;
        if let Some(cid) = &input.conversation_id {
            let c = self.repo.conversation(cid).await?.ok_or_else(not_yours)?;
            let other = if c.buyer_id == caller.id {
                &c.assignee_id
            } else if c.assignee_id == caller.id {
                &c.buyer_id
            } else {
                return Err(not_yours());
            };
            if *other != input.to_account_id {
                return Err(not_yours());
            }
            in_conversation = Some(c);
        }
        if let Some(bid) = &input.booking_id {
            let b = self
                .repo
                .booking(bid)
                .await?
                .filter(|b| b.status != BookingStatus::Cancelled)
                .ok_or_else(not_yours)?;
            let other = if b.buyer_id == caller.id {
                b.assignee_id.clone()
            } else if b.assignee_id.as_deref() == Some(caller.id.as_str()) {
                Some(b.buyer_id.clone())
            } else {
                return Err(not_yours());
            };
            if other.as_deref() != Some(input.to_account_id.as_str()) {
                return Err(not_yours());
            }
        }
        Ok(in_conversation)
    }

    /// Delivers the card with its card message, the conversation moving up the lists;
    /// `read` is the conversation as read, read again when it changed meanwhile.
    async fn deliver_in_conversation(
        &self,
        read: Conversation,
        message: &Message,
        delivery: Vec<WriteOp>,
    ) -> Result<(), DomainError> {
        let cid = read.id.clone();
        let mut known = Some(read);
        retry_on_lost_race(CONVERSATION, || {
            let known = known.take();
            let delivery = delivery.clone();
            let cid = cid.as_str();
            async move {
                let before = self
                    .repo
                    .current_conversation(known, cid)
                    .await?
                    .map_err(|Gone| DomainError::NotFound("conversation"))?;
                // Its place in the conversation is fixed at the attempt that commits.
                let message = Message {
                    id: before.next_message_id(message.id.clone()),
                    ..message.clone()
                };
                let mut after = before.clone();
                after.add_message(&message);
                self.repo
                    .save_conversation_with(
                        &before,
                        &after,
                        std::slice::from_ref(&message),
                        None,
                        delivery,
                        message.created_at,
                    )
                    .await
            }
        })
        .await
    }

    pub async fn received(
        &self,
        caller: &Account,
        page: &PageRequest,
    ) -> Result<PageOf<ReceivedCard>, DomainError> {
        self.repo.received_cards(&caller.id, page).await
    }

    /// The cards of every account of the exhibitor (main), in account order.
    pub async fn staff_cards(
        &self,
        caller: &Account,
        eid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<Card>, DomainError> {
        require_main(caller, eid)?;
        let accounts = self.repo.exhibitor_accounts(eid, page).await?;
        let ids: Vec<&str> = accounts.items.iter().map(|a| a.id.as_str()).collect();
        let saved = self.repo.cards(&ids).await?;
        // Accounts without a saved card show their profile; the exhibitor's name, which
        // such a card may need, is read once for the page.
        let mut exhibitor_name: Option<Option<String>> = None;
        let mut cards = Vec::new();
        for (account, card) in accounts.items.iter().zip(saved) {
            let card = match card {
                Some(card) => card,
                None => {
                    if account.company.is_none() && exhibitor_name.is_none() {
                        exhibitor_name = Some(self.repo.exhibitor(eid).await?.map(|e| e.name));
                    }
                    let name = exhibitor_name.as_ref().and_then(|n| n.as_deref());
                    fairlink_domain::model::Card::from_profile(account, name, self.now())
                }
            };
            cards.push(card);
        }
        Ok(PageOf {
            items: cards,
            next_cursor: accounts.next_cursor,
        })
    }

    pub async fn exhibitor_received(
        &self,
        caller: &Account,
        eid: &str,
        account_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<PageOf<ReceivedCard>, DomainError> {
        require_main(caller, eid)?;
        self.repo
            .exhibitor_received_cards(eid, account_id, page)
            .await
    }
}
