use fairlink_domain::{
    DomainError,
    model::{Account, AutoReplies, DistributionSettings, Exhibitor, Notification},
    ports::{Condition, IdentitySubject, Key, WriteOp},
};

use serde::{Serialize, de::DeserializeOwned};

use super::{
    Repository,
    accounts::{NewAccountRefusal, NewAccountRule, account_writes},
    notifications::notification_writes,
};
use crate::transaction::Transaction;
use crate::{codec, keys};

fn profile_key(eid: &str) -> Key {
    Key::new(keys::exhibitor(eid), keys::PROFILE)
}

impl Repository {
    /// Creates the exhibitor, its main account and the account's first notification in one
    /// transaction.
    pub async fn create_exhibitor(
        &self,
        exhibitor: &Exhibitor,
        main: &Account,
        identity: &IdentitySubject,
        welcome: Option<&Notification>,
    ) -> Result<Result<(), NewAccountRefusal>, DomainError> {
        let tx = Transaction::new().guarded(
            NewAccountRule::IdUnused,
            WriteOp::Put {
                item: codec::to_item(&profile_key(&exhibitor.id), "Exhibitor", exhibitor),
                condition: Some(Condition::NotExists),
            },
        );
        let tx = account_writes(tx, main, identity).writes(
            welcome
                .into_iter()
                .flat_map(|n| notification_writes(&main.id, n)),
        );
        self.create_account_with(tx).await
    }

    pub async fn exhibitor(&self, eid: &str) -> Result<Option<Exhibitor>, DomainError> {
        self.store()
            .get(&profile_key(eid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Several exhibitors in one read, in the order asked.
    pub async fn exhibitors(&self, ids: &[&str]) -> Result<Vec<Option<Exhibitor>>, DomainError> {
        let keys: Vec<Key> = ids.iter().map(|id| profile_key(id)).collect();
        self.get_many_of(&keys).await
    }

    pub async fn distribution(&self, eid: &str) -> Result<DistributionSettings, DomainError> {
        self.exhibitor_setting(eid, keys::DISTRIBUTION).await
    }

    pub async fn put_distribution(
        &self,
        eid: &str,
        settings: &DistributionSettings,
    ) -> Result<(), DomainError> {
        self.put_exhibitor_setting(eid, keys::DISTRIBUTION, "Distribution", settings)
            .await
    }

    pub async fn auto_replies(&self, eid: &str) -> Result<AutoReplies, DomainError> {
        self.exhibitor_setting(eid, keys::AUTO_REPLIES).await
    }

    pub async fn put_auto_replies(
        &self,
        eid: &str,
        replies: &AutoReplies,
    ) -> Result<(), DomainError> {
        self.put_exhibitor_setting(eid, keys::AUTO_REPLIES, "AutoReplies", replies)
            .await
    }

    /// One of an exhibitor's settings items; its default until first set.
    async fn exhibitor_setting<T: DeserializeOwned + Default>(
        &self,
        eid: &str,
        sk: &str,
    ) -> Result<T, DomainError> {
        let item = self
            .store()
            .get(&Key::new(keys::exhibitor(eid), sk))
            .await?;
        Ok(item.map(codec::from_item).transpose()?.unwrap_or_default())
    }

    async fn put_exhibitor_setting<T: Serialize>(
        &self,
        eid: &str,
        sk: &str,
        kind: &str,
        value: &T,
    ) -> Result<(), DomainError> {
        let key = Key::new(keys::exhibitor(eid), sk);
        self.store()
            .put(codec::to_item(&key, kind, value), None)
            .await?;
        Ok(())
    }
}
