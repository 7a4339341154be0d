//! The accounts feature's use cases: the fair, exhibitors, buyers, accounts, distribution
//! modes and auto-replies. Plain Rust over the repository and the domain's rules.

use std::collections::{BTreeSet, HashSet};

use fairlink_domain::{
    DomainError, Ports,
    access::{require_main, require_role},
    model::{
        AUTO_REPLY_MAX_CHARS, Account, AccountProfile, AutoReplies, DistributionSettings,
        Exhibitor, Fair, Language, Notification, NotificationKind, Permission, Presence, Role,
        language_offered,
    },
    validate::{Checks, Validate},
};
use fairlink_store::{Gone, PageOf, PageRequest, Repository, SignedInAccount};

use crate::provisioning::Provisioning;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

mod buyers;
mod exhibitors;
mod fair;
mod settings;
mod staff;

pub const ORGANIZER_ID: &str = "organizer";

/// PUT /v1/fair: the fair's settings; `id` is kept from the stored fair when left out.
/// (No `serde(flatten)` in request types: it would hide the path of a wrong field.)
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FairInput {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    pub time_zone: String,
    #[serde(with = "fairlink_domain::time::millis")]
    pub starts_at: chrono::DateTime<chrono::Utc>,
    #[serde(with = "fairlink_domain::time::millis")]
    pub ends_at: chrono::DateTime<chrono::Utc>,
    #[serde(with = "fairlink_domain::time::millis")]
    pub distribution_lock_at: chrono::DateTime<chrono::Utc>,
    pub default_recommendation_quota: u32,
    pub zones: Vec<fairlink_domain::model::Zone>,
    pub categories: Vec<fairlink_domain::model::Category>,
    /// US dollars per unit of each other currency, for comparing prices in matching.
    #[serde(default)]
    pub exchange_rates: std::collections::BTreeMap<String, f64>,
    /// The languages accounts may speak (BCP 47 tags). Left out: those the fair offers
    /// already (`en, zh, es, fr, ru, ar, pt` for a new fair).
    #[serde(default)]
    pub languages: Option<Vec<Language>>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewExhibitor {
    pub name: String,
    pub zone_ids: Vec<String>,
    #[serde(default)]
    pub recommendation_quota: Option<u32>,
    pub main_account: AccountProfile,
}

impl Validate for NewExhibitor {
    fn validate(&self, checks: &mut Checks) {
        checks.text("name", &self.name, 200);
        self.main_account.check(checks, "mainAccount.");
        checks.check(
            !self.zone_ids.is_empty(),
            "zoneIds",
            "must name at least one zone",
        );
        checks.check(
            self.recommendation_quota
                .is_none_or(|q| q <= fairlink_domain::model::MAX_RECOMMENDATION_QUOTA),
            "recommendationQuota",
            "is too large",
        );
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedExhibitor {
    pub exhibitor: Exhibitor,
    pub main_account: Account,
}

/// What anyone may see of an exhibitor.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExhibitorProfile {
    pub id: String,
    pub name: String,
    pub zone_ids: Vec<String>,
    #[serde(with = "fairlink_domain::time::millis")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewBuyer {
    pub name: String,
    pub company: String,
    /// ISO 3166-1 alpha-2, such as `US`.
    pub country: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub language: Language,
    pub time_zone: String,
}

impl Validate for NewBuyer {
    fn validate(&self, checks: &mut Checks) {
        checks.text("name", &self.name, 200);
        checks.text("company", &self.company, 200);
        checks.check(
            self.country.len() == 2 && self.country.chars().all(|c| c.is_ascii_alphabetic()),
            "country",
            "must be an ISO 3166-1 alpha-2 code, such as US",
        );
        checks.email("email", &self.email);
        checks.phone("phone", self.phone.as_deref());
        checks.time_zone("timeZone", &self.time_zone);
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewSubAccount {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub language: Language,
    pub time_zone: String,
    #[serde(default)]
    pub permissions: BTreeSet<Permission>,
    #[serde(default)]
    pub zone_ids: Vec<String>,
}

/// PATCH /v1/accounts/{aid}. A field left out is unchanged; `phone: null` clears the phone.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountPatch {
    pub name: Option<String>,
    /// Emails identify accounts and cannot be changed.
    pub email: Option<String>,
    #[serde(default, deserialize_with = "fairlink_http::nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub language: Option<Language>,
    pub time_zone: Option<String>,
    pub permissions: Option<BTreeSet<Permission>>,
    pub zone_ids: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DistributionView {
    #[serde(flatten)]
    pub settings: DistributionSettings,
    /// True once the fair's `distributionLockAt` has passed: the modes can no longer change.
    pub locked: bool,
}

/// An account the caller may change (from [`AccountsService::account_to_change`]).
pub struct AccountToChange {
    account: Account,
    /// Changed by its exhibitor's main account (which alone changes rights).
    by_main: bool,
}

pub struct AccountsService<'a> {
    repo: &'a Repository,
    ports: &'a Ports,
}

impl<'a> AccountsService<'a> {
    pub fn new(repo: &'a Repository, ports: &'a Ports) -> Self {
        Self { repo, ports }
    }

    /// Refuses a language the fair does not offer (its default languages before it is set
    /// up, so that buyers can register early).
    async fn require_offered(&self, language: Language) -> Result<(), DomainError> {
        match self.repo.fair().await? {
            Some(fair) => fair.offers(language),
            None => language_offered(&Language::FAIR_DEFAULTS, language),
        }
    }

    async fn fair_or_conflict(&self) -> Result<Fair, DomainError> {
        self.repo.fair().await?.ok_or_else(|| {
            DomainError::conflict(
                "fair_not_configured",
                "the organizer has not set up the fair yet",
            )
        })
    }

    /// An account the caller may know about: its own, or one of its exhibitor's. Anything
    /// else, another tenant's included, is "not found".
    async fn visible_account(&self, caller: &Account, aid: &str) -> Result<Account, DomainError> {
        Ok(self.visible_signed_in(caller, aid).await?.account)
    }

    /// [`Self::visible_account`] with the identity it signs in as (unknown for the caller's own).
    async fn visible_signed_in(
        &self,
        caller: &Account,
        aid: &str,
    ) -> Result<SignedInAccount, DomainError> {
        if aid == caller.id {
            return Ok(SignedInAccount {
                account: caller.clone(),
                identity: None,
            });
        }
        let signed_in = self
            .repo
            .signed_in_account(aid)
            .await?
            .ok_or(DomainError::NotFound("account"))?;
        let target = &signed_in.account;
        let same_exhibitor = target
            .exhibitor_id
            .as_deref()
            .is_some_and(|eid| caller.belongs_to(eid));
        if target.id == caller.id || same_exhibitor {
            Ok(signed_in)
        } else {
            Err(DomainError::NotFound("account"))
        }
    }

    /// A first entry in a new account's message centre.
    fn welcome(&self, account: &Account) -> Notification {
        let (title, body) = account.language.texts().title_and_body("welcome", &[]);
        Notification::new(
            self.ports.ids.new_id("ntf"),
            NotificationKind::AccountCreated,
            title,
            body,
            json!({"accountId": account.id, "exhibitorId": account.exhibitor_id}),
            self.ports.clock.now(),
        )
    }
}

fn check_zones(
    zone_ids: &[String],
    known: impl Fn(&str) -> bool,
    field: &str,
    message: &str,
) -> Result<(), DomainError> {
    let mut checks = Checks::new();
    let mut seen = HashSet::new();
    for (i, zone) in zone_ids.iter().enumerate() {
        checks.check(known(zone), &format!("{field}[{i}]"), message);
        checks.check(seen.insert(zone), &format!("{field}[{i}]"), "is repeated");
    }
    checks.into_result()
}

/// A fresh, active account with no rights: callers set role, exhibitor and rights.
pub(crate) fn account_from(
    id: String,
    profile: AccountProfile,
    now: chrono::DateTime<chrono::Utc>,
) -> Account {
    Account {
        id,
        role: Role::Buyer,
        exhibitor_id: None,
        is_main: false,
        name: profile.name.trim().into(),
        email: profile.email.trim().into(),
        phone: profile.phone,
        language: profile.language,
        time_zone: profile.time_zone,
        permissions: BTreeSet::new(),
        zone_ids: vec![],
        online: false,
        active: true,
        company: None,
        country: None,
        created_at: now,
    }
}

impl Validate for NewSubAccount {
    fn validate(&self, checks: &mut Checks) {
        checks.text("name", &self.name, 200);
        checks.email("email", &self.email);
        checks.phone("phone", self.phone.as_deref());
        checks.time_zone("timeZone", &self.time_zone);
    }
}

impl Validate for AccountPatch {}
impl Validate for FairInput {}
