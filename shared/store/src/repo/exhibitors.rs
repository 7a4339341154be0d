use fairlink_domain::{
    DomainError,
    model::{Account, AutoReplies, DistributionSettings, Exhibitor},
    ports::{Condition, Key, WriteOp},
};

use super::{Repository, accounts::account_writes};
use crate::{codec, keys};

fn profile_key(eid: &str) -> Key {
    Key::new(keys::exhibitor(eid), keys::PROFILE)
}

impl Repository {
    /// Creates the exhibitor and its main account in one transaction.
    pub async fn create_exhibitor(
        &self,
        exhibitor: &Exhibitor,
        main: &Account,
    ) -> Result<(), DomainError> {
        let mut ops = vec![WriteOp::Put {
            item: codec::to_item(&profile_key(&exhibitor.id), "Exhibitor", exhibitor),
            condition: Some(Condition::NotExists),
        }];
        ops.extend(account_writes(main));
        // [exhibitor, account, email claim]
        self.create_with_email_claim(ops, 2).await
    }

    pub async fn exhibitor(&self, eid: &str) -> Result<Option<Exhibitor>, DomainError> {
        self.store()
            .get(&profile_key(eid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    pub async fn distribution(&self, eid: &str) -> Result<DistributionSettings, DomainError> {
        let key = Key::new(keys::exhibitor(eid), keys::DISTRIBUTION);
        Ok(self
            .store()
            .get(&key)
            .await?
            .map(codec::from_item)
            .transpose()?
            .unwrap_or_default())
    }

    pub async fn put_distribution(
        &self,
        eid: &str,
        settings: &DistributionSettings,
    ) -> Result<(), DomainError> {
        let key = Key::new(keys::exhibitor(eid), keys::DISTRIBUTION);
        self.store()
            .put(codec::to_item(&key, "Distribution", settings), None)
            .await?;
        Ok(())
    }

    pub async fn auto_replies(&self, eid: &str) -> Result<AutoReplies, DomainError> {
        let key = Key::new(keys::exhibitor(eid), keys::AUTO_REPLIES);
        Ok(self
            .store()
            .get(&key)
            .await?
            .map(codec::from_item)
            .transpose()?
            .unwrap_or_default())
    }

    pub async fn put_auto_replies(
        &self,
        eid: &str,
        replies: &AutoReplies,
    ) -> Result<(), DomainError> {
        let key = Key::new(keys::exhibitor(eid), keys::AUTO_REPLIES);
        self.store()
            .put(codec::to_item(&key, "AutoReplies", replies), None)
            .await?;
        Ok(())
    }
}
