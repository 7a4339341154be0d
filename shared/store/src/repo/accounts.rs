use fairlink_domain::{
    DomainError,
    model::{Account, Notification, Role},
    ports::{Condition, IdentitySubject, Index, Key, Query, WriteOp, attr},
};
use serde_json::Value;

use super::{Gone, Repository, notifications::notification_writes};
use crate::transaction::Transaction;
use crate::{PageOf, PageRequest, codec, keys, query_page};

fn account_key(aid: &str) -> Key {
    Key::new(keys::account(aid), keys::ACCOUNT)
}

pub(super) fn account_item(account: &Account) -> fairlink_domain::ports::Item {
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

/// The account item's attribute holding its sign-in identity's `sub`. Not a field of
/// [`Account`]: it is never shown, and no change of the account's fields touches it.
const IDENTITY_SUBJECT: &str = "identitySubject";
const ACCOUNT_ID: &str = "accountId";

fn email_claim_key(email: &str) -> Key {
    Key::new(keys::email_claim(email), keys::EMAIL)
}

fn identity_link_key(subject: &IdentitySubject) -> Key {
    Key::new(keys::identity_link(subject.as_str()), keys::IDENTITY)
}

/// A marker item that names an account (`accountId`).
fn pointer_item(key: &Key, kind: &str, account_id: &str) -> fairlink_domain::ports::Item {
    let mut item = codec::to_item(key, kind, &serde_json::json!({}));
    item.insert(ACCOUNT_ID.into(), Value::String(account_id.into()));
    item
}

/// An exhibitor account's entry in its exhibitor's member list: the list a rule reads (a
/// table query, read consistently), where the index of the exhibitor's accounts may lag.
pub(super) fn member_write(account: &Account) -> Option<WriteOp> {
    let eid = account
        .exhibitor_id
        .as_deref()
        .filter(|_| account.role == Role::Exhibitor)?;
    let key = Key::new(keys::exhibitor_members(eid), &account.id);
    Some(WriteOp::Put {
        item: pointer_item(&key, "Member", &account.id),
        condition: None,
    })
}

/// The writes that create an account signing in as `identity`: the account, the claim on
/// its email, the link from the identity, and for an exhibitor's account its member entry.
pub(super) fn account_writes(
    tx: Transaction<NewAccountRule>,
    account: &Account,
    identity: &IdentitySubject,
) -> Transaction<NewAccountRule> {
    let mut item = account_item(account);
    item.insert(IDENTITY_SUBJECT.into(), Value::String(identity.0.clone()));
    tx.guarded(
        NewAccountRule::IdUnused,
        WriteOp::Put {
            item,
            condition: Some(Condition::NotExists),
        },
    )
    .guarded(
        NewAccountRule::EmailUnclaimed,
        WriteOp::Put {
            item: pointer_item(&email_claim_key(&account.email), "EmailClaim", &account.id),
            condition: Some(Condition::NotExists),
        },
    )
    .guarded(
        NewAccountRule::IdentityUnlinked,
        WriteOp::Put {
            item: pointer_item(&identity_link_key(identity), "IdentityLink", &account.id),
            condition: Some(Condition::NotExists),
        },
    )
    .writes(member_write(account))
}

/// The rules creating an account (or an exhibitor with its main account) rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NewAccountRule {
    /// No account (or exhibitor) has the id yet: a second setup of the organizer meets it.
    IdUnused,
    /// No other account holds the email.
    EmailUnclaimed,
    /// The sign-in identity is not linked to another account.
    IdentityUnlinked,
}

/// The rules changing an existing account rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AccountRule {
    /// The account is there (a deactivation).
    Exists,
    /// The account exists and signs in as no identity yet.
    Unlinked,
    /// The identity signs in as no account yet.
    IdentityFree,
}

/// Why an identity could not be linked to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// The account is gone, or signs in as an identity already.
    AccountLinked,
    /// The identity signs in as another account.
    IdentityTaken,
}

/// Why an account could not be created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewAccountRefusal {
    EmailTaken,
    /// An account (or exhibitor) with its id exists already, or its identity signs in as
    /// another account.
    AlreadyExists,
}

/// An account with the identity it signs in as (`None`: an account made before identities,
/// which only a development token can sign in as).
#[derive(Debug, Clone)]
pub struct SignedInAccount {
    pub account: Account,
    pub identity: Option<IdentitySubject>,
}

impl Repository {
    pub async fn account(&self, aid: &str) -> Result<Option<Account>, DomainError> {
        self.store()
            .get(&account_key(aid))
            .await?
            .map(codec::from_item)
            .transpose()
    }

    /// The account with its identity: what each authenticated request reads, once.
    pub async fn signed_in_account(
        &self,
        aid: &str,
    ) -> Result<Option<SignedInAccount>, DomainError> {
        let Some(item) = self.store().get(&account_key(aid)).await? else {
            return Ok(None);
        };
        let identity = item
            .get(IDENTITY_SUBJECT)
            .and_then(Value::as_str)
            .map(|s| IdentitySubject(s.into()));
        Ok(Some(SignedInAccount {
            account: codec::from_item(item)?,
            identity,
        }))
    }

    /// The account an identity signs in as (for tokens that carry only the identity).
    pub async fn account_of_identity(
        &self,
        subject: &IdentitySubject,
    ) -> Result<Option<String>, DomainError> {
        self.pointed_account(&identity_link_key(subject)).await
    }

    /// The account that holds an email, if any (read consistently).
    pub async fn email_holder(&self, email: &str) -> Result<Option<String>, DomainError> {
        self.pointed_account(&email_claim_key(email)).await
    }

    async fn pointed_account(&self, key: &Key) -> Result<Option<String>, DomainError> {
        Ok(self.store().get(key).await?.and_then(|item| {
            item.get(ACCOUNT_ID)
                .and_then(Value::as_str)
                .map(String::from)
        }))
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
        identity: &IdentitySubject,
        welcome: Option<&Notification>,
    ) -> Result<Result<(), NewAccountRefusal>, DomainError> {
        let tx = account_writes(Transaction::new(), account, identity).writes(
            welcome
                .into_iter()
                .flat_map(|n| notification_writes(&account.id, n)),
        );
        self.create_account_with(tx).await
    }

    /// Commits a transaction that creates an account (`account_writes`).
    pub(super) async fn create_account_with(
        &self,
        tx: Transaction<NewAccountRule>,
    ) -> Result<Result<(), NewAccountRefusal>, DomainError> {
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(err) => Ok(Err(match err.refusal()? {
                NewAccountRule::EmailUnclaimed => NewAccountRefusal::EmailTaken,
                NewAccountRule::IdUnused | NewAccountRule::IdentityUnlinked => {
                    NewAccountRefusal::AlreadyExists
                }
            })),
        }
    }

    /// Saves the fields that differ between `before` and `after` of an existing account, and
    /// only those: concurrent changes to other fields (presence, permissions) are not lost.
    pub async fn save_account_changes(
        &self,
        before: &Account,
        after: &Account,
    ) -> Result<Result<(), Gone>, DomainError> {
        let (old, new) = (account_item(before), account_item(after));
        let changes = codec::changes_between(&old, &new);
        if changes.is_empty() {
            return Ok(Ok(()));
        }
        match self
            .store()
            .update(&account_key(&after.id), changes, Some(Condition::Exists))
            .await
        {
            Err(err) if err.is_condition_failed() => Ok(Err(Gone)),
            other => other.map(|_| Ok(())).map_err(Into::into),
        }
    }

    /// Saves an account's deactivation (as `save_account_changes`), closing its open sockets
    /// once it is committed.
    pub async fn save_deactivation(
        &self,
        before: &Account,
        after: &Account,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Result<(), Gone>, DomainError> {
        let changes = codec::changes_between(&account_item(before), &account_item(after));
        if changes.is_empty() {
            // Deactivated before: its sockets were closed then.
            return Ok(Ok(()));
        }
        let tx = Transaction::new()
            .guarded(
                AccountRule::Exists,
                WriteOp::Update {
                    key: account_key(&after.id),
                    changes,
                    condition: Some(Condition::Exists),
                },
            )
            .write(super::realtime::disconnect_write(&after.id, at));
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(err) => match err.refusal()? {
                AccountRule::Exists => Ok(Err(Gone)),
                rule => Err(DomainError::Internal(format!(
                    "{rule:?} refused a deactivation"
                ))),
            },
        }
    }

    /// Links an existing account that has no identity yet (one made before identities, such
    /// as an older local organizer) to `identity`.
    pub async fn link_identity(
        &self,
        aid: &str,
        identity: &IdentitySubject,
    ) -> Result<Result<(), LinkRefusal>, DomainError> {
        let set = fairlink_domain::ports::Change::Set(
            IDENTITY_SUBJECT.into(),
            Value::String(identity.0.clone()),
        );
        let tx = Transaction::new()
            .guarded(
                AccountRule::Unlinked,
                WriteOp::Update {
                    key: account_key(aid),
                    changes: vec![set],
                    condition: Some(Condition::And(vec![
                        Condition::Exists,
                        Condition::AttrNotExists(IDENTITY_SUBJECT.into()),
                    ])),
                },
            )
            .guarded(
                AccountRule::IdentityFree,
                WriteOp::Put {
                    item: pointer_item(&identity_link_key(identity), "IdentityLink", aid),
                    condition: Some(Condition::NotExists),
                },
            );
        match self.commit(tx).await {
            Ok(()) => Ok(Ok(())),
            Err(err) => Ok(Err(match err.refusal()? {
                AccountRule::Unlinked => LinkRefusal::AccountLinked,
                AccountRule::IdentityFree => LinkRefusal::IdentityTaken,
                rule => {
                    return Err(DomainError::Internal(format!(
                        "{rule:?} refused an identity link"
                    )));
                }
            })),
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

    /// All of an exhibitor's accounts as they are now (a few dozen at most), oldest first,
    /// for the rules that count or pick them (capacity, distribution): its member list and
    /// the accounts, both read consistently.
    pub async fn all_exhibitor_accounts(&self, eid: &str) -> Result<Vec<Account>, DomainError> {
        let members: Vec<Value> =
            crate::query_all(self.store(), Query::table(keys::exhibitor_members(eid))).await?;
        let keys: Vec<Key> = members
            .iter()
            .filter_map(|m| m.get(ACCOUNT_ID).and_then(Value::as_str))
            .map(account_key)
            .collect();
        let mut accounts = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let found: Vec<Option<Account>> = self.get_many_of(chunk).await?;
            accounts.extend(found.into_iter().flatten());
        }
        Ok(accounts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transaction::TransactionError;

    #[test]
    fn an_account_is_created_with_its_email_claim_and_identity_link() {
        let account: Account = serde_json::from_value(serde_json::json!({
            "id": "acc_1", "role": "exhibitor", "exhibitorId": "exh_1", "isMain": true,
            "name": "Li", "email": " Li@Example.com", "phone": null, "language": "zh",
            "timeZone": "Asia/Shanghai", "permissions": [], "zoneIds": [], "online": false,
            "active": true, "createdAt": "2027-04-15T00:00:00Z"
        }))
        .unwrap();
        let tx = account_writes(
            Transaction::new(),
            &account,
            &IdentitySubject("sub-1".into()),
        );
        let failed_at = |op| {
            tx.outcome(Err(fairlink_domain::ports::StoreError::ConditionFailed {
                op: Some(op),
            }))
        };
        assert_eq!(
            failed_at(1),
            Err(TransactionError::Refused(NewAccountRule::EmailUnclaimed)),
            "the email claim is the email's rule"
        );
        assert_eq!(
            failed_at(2),
            Err(TransactionError::Refused(NewAccountRule::IdentityUnlinked))
        );
        let [account_op, claim_op, link_op, member_op]: [WriteOp; 4] =
            tx.into_ops().try_into().unwrap();
        assert_eq!(
            member_op.key(),
            Some(Key::new("EXH#exh_1#MEMBERS", "acc_1")),
            "an exhibitor's account is in its member list"
        );
        let item_of = |op: WriteOp| match op {
            WriteOp::Put { item, condition } => {
                assert_eq!(condition, Some(Condition::NotExists));
                item
            }
            other => panic!("not a put: {other:?}"),
        };
        let (account_item, claim, link) =
            (item_of(account_op), item_of(claim_op), item_of(link_op));
        let text = |item: &fairlink_domain::ports::Item, name: &str| {
            item.get(name).and_then(Value::as_str).map(String::from)
        };
        assert_eq!(text(&account_item, attr::PK).as_deref(), Some("ACC#acc_1"));
        assert_eq!(text(&account_item, attr::SK).as_deref(), Some("ACCOUNT"));
        assert_eq!(
            text(&account_item, attr::GSI1_PK).as_deref(),
            Some("EXH#exh_1#ACCOUNTS")
        );
        assert_eq!(text(&account_item, attr::GSI1_SK).as_deref(), Some("acc_1"));
        assert_eq!(
            text(&account_item, IDENTITY_SUBJECT).as_deref(),
            Some("sub-1")
        );
        assert_eq!(
            text(&claim, attr::PK).as_deref(),
            Some("EMAIL#li@example.com")
        );
        assert_eq!(text(&claim, ACCOUNT_ID).as_deref(), Some("acc_1"));
        assert_eq!(text(&link, attr::PK).as_deref(), Some("IDENTITY#sub-1"));
        assert_eq!(text(&link, attr::SK).as_deref(), Some("IDENTITY"));
        assert_eq!(text(&link, ACCOUNT_ID).as_deref(), Some("acc_1"));
    }
}
