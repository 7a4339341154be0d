//! Opening a conversation by the distribution rules: a buyer's goes to the exhibitor's
//! account the rules pick; an exhibitor account opens one on a buyer's intent.

use super::*;

impl MessagingService<'_> {
    /// Opens the conversation (201), or returns the open one between the two (200).
    pub async fn open(
        &self,
        caller: &Account,
        input: OpenConversation,
    ) -> Result<Opened, DomainError> {
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
    ) -> Result<Opened, DomainError> {
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
            return Ok(Opened::Existing(self.view(caller, existing).await?));
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
    ) -> Result<Opened, DomainError> {
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
            return Ok(Opened::Existing(self.view(caller, existing).await?));
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
    ) -> Result<Opened, DomainError> {
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
        let to_assignee = NotificationFor {
            account_id: &conversation.assignee_id,
            notification: &notice,
        };
        if let Attempt::Done(()) = self
            .repo
            .open_conversation(&conversation, to_assignee)
            .await?
        {
            return Ok(Opened::Created(self.view(caller, conversation).await?));
        }
        // Opened by someone else a moment ago: that one.
        let existing = self
            .repo
            .conversation_of_pair(&conversation.buyer_id, &conversation.exhibitor_id)
            .await?
            .ok_or_else(|| DomainError::Internal("a pair without its conversation".into()))?;
        Ok(Opened::Existing(self.view(caller, existing).await?))
    }

    pub(super) async fn assigned_notice(
        &self,
        c: &Conversation,
    ) -> Result<Notification, DomainError> {
        let language = self
            .repo
            .account(&c.assignee_id)
            .await?
            .map(|a| a.language)
            .unwrap_or_default();
        let buyer = self
            .repo
            .account(&c.buyer_id)
            .await?
            .map(|b| b.name)
            .unwrap_or_default();
        let (title, body) = language
            .texts()
            .title_and_body("conversation-assigned", &[("buyer", buyer.into())]);
        Ok(Notification::new(
            self.ports.ids.new_id("ntf"),
            NotificationKind::ConversationAssigned,
            title,
            body,
            json!({"conversationId": c.id, "buyerId": c.buyer_id}),
            self.now(),
        ))
    }
}
