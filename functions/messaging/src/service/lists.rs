//! Lists: the caller's conversations and a conversation's messages.

use super::*;

impl MessagingService<'_> {
    /// A buyer's conversations; an exhibitor account's assigned ones (its most recent 2,000);
    /// with `scope=all`, the main account's whole exhibitor's. Latest activity first.
    pub async fn list(
        &self,
        caller: &Account,
        scope: ConversationScope,
        page: &PageRequest,
    ) -> Result<PageOf<ConversationView>, DomainError> {
        let conversations = match caller.role {
            Role::Buyer => {
                self.repo
                    .account_conversations(&caller.id, Side::Buyer, page)
                    .await?
            }
            Role::Exhibitor if scope == ConversationScope::Exhibitor => {
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
                    .account_conversations(&caller.id, Side::Exhibitor, &inner_page)
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

    /// Messages in `order`, or those after a message (for new ones) oldest first.
    pub async fn messages(
        &self,
        caller: &Account,
        cid: &str,
        order: Order,
        after: Option<&str>,
        page: &PageRequest,
    ) -> Result<PageOf<Message>, DomainError> {
        let c = self.readable(caller, cid).await?;
        let order = if after.is_some() {
            Order::OldestFirst
        } else {
            order
        };
        self.repo.messages(&c.id, order, after, page).await
    }
}

/// `<seen>.<cursor>`: how many items came before, and where to go on.
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
