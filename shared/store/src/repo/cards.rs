use fairlink_domain::{
    DomainError,
    model::{Card, Notification, ReceivedCard},
    ports::{Key, Query, WriteOp},
};

use super::{Repository, notifications::notification_writes};
use crate::{PageOf, PageRequest, codec, keys, query_page, query_page_filtered};

fn card_key(aid: &str) -> Key {
    Key::new(keys::account(aid), keys::CARD)
}

impl Repository {
    /// The account's card: the saved one, or else one made from its profile.
    pub async fn own_card(
        &self,
        account: &fairlink_domain::model::Account,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<fairlink_domain::model::Card, DomainError> {
        if let Some(card) = self.card(&account.id).await? {
            return Ok(card);
        }
        let exhibitor_name = match (&account.company, &account.exhibitor_id) {
            (None, Some(eid)) => self.exhibitor(eid).await?.map(|e| e.name),
            _ => None,
        };
        Ok(fairlink_domain::model::Card::from_profile(
            account,
            exhibitor_name.as_deref(),
            now,
        ))
    }

    pub async fn card(&self, aid: &str) -> Result<Option<Card>, DomainError> {
        self.store()
            .get(&card_key(aid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Several accounts' cards in one read, in the order asked.
    pub async fn cards(&self, ids: &[&str]) -> Result<Vec<Option<Card>>, DomainError> {
        let keys: Vec<Key> = ids.iter().map(|id| card_key(id)).collect();
        self.get_many_of(&keys).await
    }

    pub async fn put_card(&self, card: &Card) -> Result<(), DomainError> {
        self.store()
            .put(
                codec::to_item(&card_key(&card.account_id), "Card", card),
                None,
            )
            .await?;
        Ok(())
    }

    /// Delivers a card: in the recipient's received list, in its exhibitor's (when
    /// `exhibitor_id` is given), and in the recipient's message centre, all at once.
    pub async fn receive_card(
        &self,
        received: &ReceivedCard,
        exhibitor_id: Option<&str>,
        notification: &Notification,
    ) -> Result<(), DomainError> {
        self.transact_retrying(received_card_writes(received, exhibitor_id, notification))
            .await?;
        Ok(())
    }

    /// The cards an account received, newest first.
    pub async fn received_cards(
        &self,
        aid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<ReceivedCard>, DomainError> {
        query_page(
            self.store(),
            Query::table(keys::received_cards(aid)).backward(),
            page,
        )
        .await
    }

    /// The cards an exhibitor's accounts received, newest first, optionally one account's.
    pub async fn exhibitor_received_cards(
        &self,
        eid: &str,
        account_id: Option<&str>,
        page: &PageRequest,
    ) -> Result<PageOf<ReceivedCard>, DomainError> {
        let query = Query::table(keys::exhibitor_received_cards(eid)).backward();
        query_page_filtered(self.store(), query, page, |r: &ReceivedCard| {
            account_id.is_none_or(|a| r.recipient_id == a)
        })
        .await
    }
}

/// The writes that deliver a card (see `receive_card`), for a transaction that also moves
/// the conversation it is sent in.
pub fn received_card_writes(
    received: &ReceivedCard,
    exhibitor_id: Option<&str>,
    notification: &Notification,
) -> Vec<WriteOp> {
    let mut ops = vec![WriteOp::Put {
        item: codec::to_item(
            &Key::new(keys::received_cards(&received.recipient_id), &received.id),
            "ReceivedCard",
            received,
        ),
        condition: None,
    }];
    if let Some(eid) = exhibitor_id {
        ops.push(WriteOp::Put {
            item: codec::to_item(
                &Key::new(keys::exhibitor_received_cards(eid), &received.id),
                "ReceivedCard",
                received,
            ),
            condition: None,
        });
    }
    ops.extend(notification_writes(&received.recipient_id, notification));
    ops
}
