use fairlink_domain::{
    DomainError,
    model::{Account, Notification, Role},
    ports::{Condition, Index, Key, Query, WriteOp, attr},
};
use serde_json::Value;

use super::{Repository, notifications::notification_write};
use crate::{PageOf, PageRequest, codec, keys, query_page};

fn account_key(aid: &str) -> Key {
    Key::new(keys::account(aid), keys::ACCOUNT)
}

fn account_item(account: &Account) -> fairlink_domain::ports::Item {
    let mut item = codec::to_item(&account_key(&account.id), "Account", account);
    if let (Role::Exhibitor, Some(eid)) = (account.role, &account.exhibitor_id) {
        item.insert(
            attr::GSI1_PK.into(),
            Value::String(keys::exhibitor_accounts(eid)),
        );
        item.insert(attr::GSI1_SK.into(), Value::String(account.id.clone()));
    }
    item
}

/// The writes that create an account: the account, then the claim on its email.
pub(super) fn account_writes(account: &Account) -> [WriteOp; 2] {
    let claim_key = Key::new(keys::email_claim(&account.email), keys::EMAIL);
    let mut claim = codec::to_item(&claim_key, "EmailClaim", &serde_json::json!({}));
    claim.insert("accountId".into(), Value::String(account.id.clone()));
    [
        WriteOp::Put {
            item: account_item(account),
            condition: Some(Condition::NotExists),
        },
        WriteOp::Put {
            item: claim,
            condition: Some(Condition::NotExists),
        },
    ]
}

impl Repository {
    pub async fn account(&self, aid: &str) -> Result<Option<Account>, DomainError> {
        self.store()
            .get(&account_key(aid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// Several accounts in one read, in the order asked.
    pub async fn accounts(&self, ids: &[&str]) -> Result<Vec<Option<Account>>, DomainError> {
        let keys: Vec<Key> = ids.iter().map(|id| account_key(id)).collect();
        self.get_many_of(&keys).await
    }

    /// Creates an account whose email no other account has, with its first notification in
    /// the same transaction (a retried create never meets its own email claim).
    pub async fn create_account(
        &self,
        account: &Account,
        welcome: Option<&Notification>,
    ) -> Result<(), DomainError> {
        let mut ops: Vec<WriteOp> = account_writes(account).into();
        ops.extend(welcome.map(|n| notification_write(&account.id, n)));
        // [account, email claim, notification?]
        self.create_with_email_claim(ops, 1).await
    }

    /// Runs a creating transaction; a failed email claim (at `claim_index`) is a taken email.
    pub(super) async fn create_with_email_claim(
        &self,
        ops: Vec<WriteOp>,
        claim_index: usize,
    ) -> Result<(), DomainError> {
        match self.store().transact(ops).await {
            Ok(()) => Ok(()),
            Err(err)
                if err
                    == fairlink_domain::ports::StoreError::ConditionFailed {
                        op: Some(claim_index),
                    } =>
            {
                Err(DomainError::conflict(
                    "email_taken",
                    "another account already uses this email",
                ))
            }
            Err(err) if err.is_condition_failed() => Err(DomainError::conflict(
                "conflict",
                "an object with this id already exists",
            )),
            Err(err) => Err(err.into()),
        }
    }

    /// Saves the fields that differ between `before` and `after` of an existing account, and
    /// only those: concurrent changes to other fields (presence, permissions) are not lost.
    pub async fn save_account_changes(
        &self,
        before: &Account,
        after: &Account,
    ) -> Result<(), DomainError> {
        let (old, new) = (account_item(before), account_item(after));
        let changes = codec::changes_between(&old, &new);
        if changes.is_empty() {
            return Ok(());
        }
        match self
            .store()
            .update(&account_key(&after.id), changes, Some(Condition::Exists))
            .await
        {
            Err(err) if err.is_condition_failed() => Err(DomainError::NotFound("account")),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// Creates the organizer account if it is missing (local mode's first start).
    pub async fn ensure_account(&self, account: &Account) -> Result<(), DomainError> {
        match self
            .store()
            .put(account_item(account), Some(Condition::NotExists))
            .await
        {
            Err(err) if err.is_condition_failed() => Ok(()),
            other => Ok(other?),
        }
    }

    pub async fn exhibitor_accounts(
        &self,
        eid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<Account>, DomainError> {
        query_page(
            self.store(),
            Query::index(Index::Gsi1, keys::exhibitor_accounts(eid)),
            page,
        )
        .await
    }

    /// All of an exhibitor's accounts (a few dozen at most), for distribution and capacity.
    pub async fn all_exhibitor_accounts(&self, eid: &str) -> Result<Vec<Account>, DomainError> {
        crate::query_all(
            self.store(),
            Query::index(Index::Gsi1, keys::exhibitor_accounts(eid)),
        )
        .await
    }
}
