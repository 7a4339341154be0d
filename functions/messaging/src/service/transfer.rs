//! Handing a conversation to a colleague.

use super::*;

impl MessagingService<'_> {
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
        let to_colleague = NotificationFor {
            account_id: &to.id,
            notification: &notice,
        };
        let saved = self
            .repo
            .save_conversation(&before, &after, &[], Some(to_colleague), self.now())
            .await?;
        if let Attempt::LostRace = saved {
            return Err(DomainError::conflict(
                "conflict",
                "the conversation changed meanwhile; read it again",
            ));
        }
        self.view(caller, after).await
    }
}
