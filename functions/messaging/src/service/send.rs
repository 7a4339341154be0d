//! Sending a message, with the auto-reply a buyer's message may bring.

use super::*;

impl MessagingService<'_> {
    /// Sends a message; a buyer's may bring an auto-reply on the exhibitor's behalf.
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
        let kind = message_kind(&input)?;
        let card = match kind {
            MessageType::Card => Some(self.repo.own_card(caller, self.now()).await?),
            _ => None,
        };
        let mut known = Some(read);
        retry_on_lost_race(CONVERSATION, || {
            let known = known.take();
            let card = card.clone();
            let input = &input;
            async move {
                let before = self
                    .repo
                    .current_conversation(known, cid)
                    .await?
                    .map_err(|Gone| DomainError::NotFound("conversation"))?;
                let now = self.now();
                let message = Message {
                    id: before.next_message_id(self.ports.ids.new_id("msg")),
                    conversation_id: before.id.clone(),
                    sender_id: caller.id.clone(),
                    kind,
                    text: input.text.clone().filter(|_| kind == MessageType::Text),
                    image_url: input
                        .image_url
                        .clone()
                        .filter(|_| kind == MessageType::Image),
                    card,
                    created_at: now,
                };
                let mut after = before.clone();
                after.add_message(&message);
                let mut written = vec![message.clone()];
                if side == Side::Buyer {
                    if let Some(reply) = self.auto_reply(&after, now).await? {
                        if reply.kind == AutoReplyKind::Offline {
                            after.offline_reply_at = Some(now);
                        }
                        after.add_message(&reply.message);
                        written.push(reply.message);
                    }
                    after.last_buyer_message_at = Some(now);
                }
                let saved = self
                    .repo
                    .save_conversation(&before, &after, &written, None, now)
                    .await?;
                Ok(saved.map(|()| message))
            }
        })
        .await
    }

    /// The auto-reply a buyer's message brings, if any: the online text on the
    /// conversation's first buyer message while the assignee is online; the offline text
    /// while offline, at most once an hour. `c` is the conversation with the buyer's
    /// message added (the reply's id follows it).
    async fn auto_reply(
        &self,
        c: &Conversation,
        now: DateTime<Utc>,
    ) -> Result<Option<AutoReply>, DomainError> {
        let replies = self.repo.auto_replies(&c.exhibitor_id).await?;
        let online = self
            .repo
            .account(&c.assignee_id)
            .await?
            .is_some_and(|a| a.online && a.active);
        let (text, kind) = if online {
            match (&replies.online, c.last_buyer_message_at) {
                (Some(text), None) => (text.clone(), AutoReplyKind::Online),
                _ => return Ok(None),
            }
        } else {
            let recent = c
                .offline_reply_at
                .is_some_and(|at| now - at < OFFLINE_REPLY_EVERY);
            match (&replies.offline, recent) {
                (Some(text), false) => (text.clone(), AutoReplyKind::Offline),
                _ => return Ok(None),
            }
        };
        Ok(Some(AutoReply {
            message: Message {
                id: c.next_message_id(self.ports.ids.new_id("msg")),
                conversation_id: c.id.clone(),
                sender_id: c.assignee_id.clone(),
                kind: MessageType::AutoReply,
                text: Some(text),
                image_url: None,
                card: None,
                created_at: now,
            },
            kind,
        }))
    }
}

/// An auto-reply on the exhibitor's behalf.
struct AutoReply {
    message: Message,
    kind: AutoReplyKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AutoReplyKind {
    /// On a conversation's first buyer message, while the assignee is online.
    Online,
    /// While the assignee is offline, at most once an hour.
    Offline,
}

/// The kind of a message to send, its content checked.
fn message_kind(input: &NewMessage) -> Result<MessageType, DomainError> {
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
    Ok(kind)
}
