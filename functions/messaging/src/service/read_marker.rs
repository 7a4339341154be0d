//! Read markers: a side's unread count after the message it read up to.

use super::*;

impl MessagingService<'_> {
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
        let mut known = Some(read);
        let marker = input.up_to_message_id.as_str();
        let after = retry_on_lost_race(CONVERSATION, || {
            let known = known.take();
            async move {
                let before = self
                    .repo
                    .current_conversation(known, cid)
                    .await?
                    .map_err(|Gone| DomainError::NotFound("conversation"))?;
                // Unread: what the other side (or an auto-reply, for the buyer) wrote since.
                let unread = self
                    .repo
                    .count_messages_after(cid, marker, |m| before.side_of(&m.sender_id) != side)
                    .await?;
                let mut after = before.clone();
                *after.unread_mut(side) = unread;
                if after == before {
                    return Ok(Attempt::Done(after));
                }
                let saved = self
                    .repo
                    .save_conversation(&before, &after, &[], None, self.now())
                    .await?;
                Ok(saved.map(|()| after))
            }
        })
        .await?;
        self.view(caller, after).await
    }
}
