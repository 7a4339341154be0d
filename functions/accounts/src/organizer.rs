//! The organizer: one account, `organizer`, made at deployment (the stack's custom resource,
//! or fairlink-local's start) with the sign-in identity of the configured email. Running
//! the setup again, however often, changes nothing.

use fairlink_domain::{
    DomainError, Ports,
    model::{Account, AccountProfile, Language, Role},
};
use fairlink_store::{LinkRefusal, Repository};

use crate::{provisioning::Provisioning, service::account_from};

pub const ORGANIZER_ID: &str = "organizer";
/// The organizer's email where none is configured (local development).
pub const LOCAL_ORGANIZER_EMAIL: &str = "organizer@fairlink.local";

/// What the setup found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizerSetup {
    Created,
    /// The account existed without an identity (made before identities): now it has one.
    Linked,
    Unchanged,
}

/// The organizer account, with no identity attached yet.
pub fn organizer_account(email: &str, now: chrono::DateTime<chrono::Utc>) -> Account {
    let profile = AccountProfile {
        name: "Organizer".into(),
        email: email.into(),
        phone: None,
        language: Language::EN,
        time_zone: "Asia/Shanghai".into(),
    };
    Account {
        role: Role::Organizer,
        ..account_from(ORGANIZER_ID.into(), profile, now)
    }
}

pub async fn ensure_organizer(
    repo: &Repository,
    ports: &Ports,
    email: &str,
) -> Result<OrganizerSetup, DomainError> {
    let mut checks = fairlink_domain::validate::Checks::new();
    checks.email("OrganizerEmail", email);
    checks.into_result()?;
    let provisioning = Provisioning::new(repo, ports);
    match repo.signed_in_account(ORGANIZER_ID).await? {
        Some(existing)
            if !existing
                .account
                .email
                .trim()
                .eq_ignore_ascii_case(email.trim()) =>
        {
            Err(DomainError::conflict(
                "organizer_email_fixed",
                format!(
                    "the organizer already signs in as {}; its email cannot be changed by the setup",
                    existing.account.email
                ),
            ))
        }
        Some(existing) if existing.identity.is_some() => Ok(OrganizerSetup::Unchanged),
        Some(existing) => {
            let identity = provisioning
                .identity_for_existing(&existing.account)
                .await?;
            match repo.link_identity(ORGANIZER_ID, &identity).await? {
                Ok(()) => Ok(OrganizerSetup::Linked),
                // Another setup linked it meanwhile, or the identity is another account's.
                Err(refusal) => Err(DomainError::conflict(
                    "conflict",
                    match refusal {
                        LinkRefusal::AccountLinked => {
                            "the organizer was linked to its identity meanwhile; run the setup again"
                        }
                        LinkRefusal::IdentityTaken => {
                            "the organizer's identity already signs in as another account"
                        }
                    },
                )),
            }
        }
        None => {
            let organizer = organizer_account(email.trim(), ports.clock.now());
            let profile = AccountProfile {
                name: organizer.name.clone(),
                email: organizer.email.clone(),
                phone: None,
                language: organizer.language,
                time_zone: organizer.time_zone.clone(),
            };
            let identity = provisioning
                .identity_for(ORGANIZER_ID.into(), &profile)
                .await?;
            let stored = repo
                .create_account(&organizer, &identity.subject, None)
                .await;
            match provisioning.settle(&identity, stored).await {
                Ok(()) => Ok(OrganizerSetup::Created),
                // A concurrent setup made it first.
                Err(DomainError::Conflict { .. })
                    if repo
                        .signed_in_account(ORGANIZER_ID)
                        .await?
                        .is_some_and(|s| s.identity.is_some()) =>
                {
                    Ok(OrganizerSetup::Unchanged)
                }
                Err(err) => Err(err),
            }
        }
    }
}
