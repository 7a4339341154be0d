//! Accounts and their sign-in identities, made together: the identity first (the provider
//! sends its invitation), then the account's transaction, which records the identity.
//!
//! Nothing is left half made:
//! - the transaction refused (the email taken meanwhile): the identity just made is deleted;
//! - the transaction failing otherwise (the store unavailable), or the process dying between
//!   the two: the identity stays, naming an account that does not exist. A repeat of the
//!   request finds it by its email and adopts it (the account is made with the id the
//!   identity names), so the repeat completes the account instead of making a second one.

use fairlink_domain::{
    DomainError, Ports,
    model::{Account, AccountProfile},
    ports::{IdentityError, IdentitySubject, NewIdentity},
};
use fairlink_store::{NewAccountRefusal, Repository};

/// An identity ready for its account.
#[derive(Debug, Clone)]
pub struct ProvisionedIdentity {
    /// The account's id: a fresh one, or the one an adopted identity names.
    pub account_id: String,
    pub subject: IdentitySubject,
    origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    MadeNow,
    /// Made by an earlier attempt whose account was never stored.
    Adopted,
}

fn email_taken() -> DomainError {
    DomainError::conflict("email_taken", "another account already uses this email")
}

pub struct Provisioning<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

impl<'a> Provisioning<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    /// The identity for an account about to be made with `fresh_id`, refusing an email
    /// another account holds.
    pub async fn identity_for(
        &self,
        fresh_id: String,
        profile: &AccountProfile,
    ) -> Result<ProvisionedIdentity, DomainError> {
        // Checked first so that a taken email makes no identity (the transaction still
        // decides: two registrations of one email can both pass this read).
        if self.repo.email_holder(&profile.email).await?.is_some() {
            return Err(email_taken());
        }
        let new = NewIdentity {
            account_id: fresh_id.clone(),
            email: sign_in_name(&profile.email),
            name: profile.name.trim().into(),
            language: profile.language,
        };
        match self.ports.identities.create(&new).await {
            Ok(subject) => Ok(ProvisionedIdentity {
                account_id: fresh_id,
                subject,
                origin: Origin::MadeNow,
            }),
            Err(IdentityError::EmailTaken(existing)) => match existing.account_id {
                Some(account_id) if self.repo.account(&account_id).await?.is_none() => {
                    tracing::info!(%account_id, "adopting the identity of an account left unmade");
                    Ok(ProvisionedIdentity {
                        account_id,
                        subject: existing.subject,
                        origin: Origin::Adopted,
                    })
                }
                _ => Err(email_taken()),
            },
            Err(err) => Err(err.into()),
        }
    }

    /// An identity for an account stored before identities existed (it holds its email).
    pub async fn identity_for_existing(
        &self,
        account: &Account,
    ) -> Result<IdentitySubject, DomainError> {
        let new = NewIdentity {
            account_id: account.id.clone(),
            email: sign_in_name(&account.email),
            name: account.name.clone(),
            language: account.language,
        };
        match self.ports.identities.create(&new).await {
            Ok(subject) => Ok(subject),
            Err(IdentityError::EmailTaken(existing))
                if existing.account_id.as_deref() == Some(account.id.as_str()) =>
            {
                Ok(existing.subject)
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Finishes after the account's transaction: a refused transaction deletes the
    /// identity made for it.
    pub async fn settle(
        &self,
        identity: &ProvisionedIdentity,
        stored: Result<Result<(), NewAccountRefusal>, DomainError>,
    ) -> Result<(), DomainError> {
        let refusal = match stored? {
            Ok(()) => return Ok(()),
            Err(refusal) => refusal,
        };
        // Unless a concurrent repeat adopted the identity and its account won.
        let adopted_meanwhile = self.repo.account(&identity.account_id).await?.is_some();
        if identity.origin == Origin::MadeNow && !adopted_meanwhile {
            if let Err(err) = self.ports.identities.delete(&identity.subject).await {
                // Left for a repeat of the request to adopt.
                tracing::warn!(error = %err, ?refusal, "could not delete the identity of a refused account");
            }
        } else if refusal == NewAccountRefusal::EmailTaken {
            // The adopted identity's email now belongs to another account: the identity
            // names an account that will never exist.
            tracing::warn!(account_id = %identity.account_id, "an adopted identity lost its email to another account");
        }
        // Taken by another account, or the account's id by a concurrent repeat that adopted
        // the identity: to this request, as to any other, the email is taken.
        Err(email_taken())
    }

    /// Ends the sessions of a deactivated account and disables its identity. Repeatable:
    /// a failure answers 503 and the repeated deactivation finishes it.
    pub async fn disable(
        &self,
        account: &Account,
        identity: Option<&IdentitySubject>,
    ) -> Result<(), DomainError> {
        match identity {
            Some(_) => Ok(self
                .ports
                .identities
                .disable(&sign_in_name(&account.email))
                .await?),
            None => Ok(()),
        }
    }
}

/// Emails sign in without regard to case, as the user pool compares them.
pub fn sign_in_name(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use fairlink_domain::ports::{IdentityDirectory, SignInConfig};

    use super::*;

    /// A directory that records what it is asked to delete.
    #[derive(Default)]
    struct Recording {
        deleted: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl IdentityDirectory for Recording {
        async fn create(&self, _: &NewIdentity) -> Result<IdentitySubject, IdentityError> {
            Ok(IdentitySubject("sub-new".into()))
        }
        async fn delete(&self, subject: &IdentitySubject) -> Result<(), IdentityError> {
            self.deleted.lock().unwrap().push(subject.0.clone());
            Ok(())
        }
        async fn disable(&self, _: &str) -> Result<(), IdentityError> {
            Ok(())
        }
        fn sign_in_config(&self) -> SignInConfig {
            SignInConfig::dev()
        }
    }

    fn identity(origin: Origin) -> ProvisionedIdentity {
        ProvisionedIdentity {
            account_id: "acc_never_stored".into(),
            subject: IdentitySubject("sub-1".into()),
            origin,
        }
    }

    #[tokio::test]
    async fn a_refused_account_takes_its_new_identity_with_it_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let directory = Arc::new(Recording::default());
        let ports = Ports {
            identities: directory.clone(),
            ..fairlink_embedded::ports(dir.path(), None).unwrap()
        };
        let repo = Repository::new(ports.store.clone(), ports.queue.clone());
        let provisioning = Provisioning::new(&repo, &ports);
        let refused = || Ok(Err(NewAccountRefusal::EmailTaken));

        // Refused: the identity made for it goes.
        let err = provisioning
            .settle(&identity(Origin::MadeNow), refused())
            .await
            .unwrap_err();
        assert!(matches!(
            err,
            DomainError::Conflict {
                code: "email_taken",
                ..
            }
        ));
        assert_eq!(*directory.deleted.lock().unwrap(), ["sub-1"]);
        // An adopted identity is not this request's to delete.
        let _ = provisioning
            .settle(&identity(Origin::Adopted), refused())
            .await;
        // The store unavailable: the outcome is unknown, the identity stays for a repeat.
        let unavailable = Err(DomainError::Unavailable {
            code: "store_unavailable",
            detail: "down".into(),
        });
        let err = provisioning
            .settle(&identity(Origin::MadeNow), unavailable)
            .await
            .unwrap_err();
        assert!(matches!(err, DomainError::Unavailable { .. }));
        // Stored: nothing to undo.
        provisioning
            .settle(&identity(Origin::MadeNow), Ok(Ok(())))
            .await
            .unwrap();
        assert_eq!(*directory.deleted.lock().unwrap(), ["sub-1"]);
    }
}
