//! The accounts feature's use cases: the fair, exhibitors, buyers, accounts, distribution
//! modes and auto-replies. Plain Rust over the repository and the domain's rules.

use std::collections::{BTreeSet, HashSet};

use fairlink_domain::{
    DomainError, Ports,
    access::{require_main, require_role},
    model::{
        AUTO_REPLY_MAX_CHARS, Account, AccountProfile, AutoReplies, DistributionSettings,
        Exhibitor, Fair, Language, Notification, NotificationKind, Permission, Presence, Role,
    },
    validate::{Checks, Validate},
};
use fairlink_store::{Gone, PageOf, PageRequest, Repository, SignedInAccount};

use crate::provisioning::Provisioning;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

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

    async fn fair_or_conflict(&self) -> Result<Fair, DomainError> {
        self.repo.fair().await?.ok_or_else(|| {
            DomainError::conflict(
                "fair_not_configured",
                "the organizer has not set up the fair yet",
            )
        })
    }

    pub async fn fair(&self) -> Result<Fair, DomainError> {
        self.repo.fair().await?.ok_or(DomainError::NotFound("fair"))
    }

    pub async fn put_fair(&self, caller: &Account, input: FairInput) -> Result<Fair, DomainError> {
        require_role(caller, Role::Organizer)?;
        let id = match input.id {
            Some(id) => id,
            None => match self.repo.fair().await? {
                Some(existing) => existing.id,
                None => self.ports.ids.new_id("fair"),
            },
        };
        let fair = Fair {
            id,
            name: input.name,
            time_zone: input.time_zone,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            distribution_lock_at: input.distribution_lock_at,
            default_recommendation_quota: input.default_recommendation_quota,
            zones: input.zones,
            categories: input.categories,
            exchange_rates: input.exchange_rates,
        };
        fair.validate()?;
        self.repo.put_fair(&fair).await?;
        Ok(fair)
    }

    pub async fn create_exhibitor(
        &self,
        caller: &Account,
        input: NewExhibitor,
    ) -> Result<CreatedExhibitor, DomainError> {
        require_role(caller, Role::Organizer)?;
        let mut checks = Checks::new();
        input.validate(&mut checks);
        checks.into_result()?;
        let fair = self.fair_or_conflict().await?;
        check_zones(
            &input.zone_ids,
            |z| fair.has_zone(z),
            "zoneIds",
            "is not a zone of the fair",
        )?;

        let now = self.ports.clock.now();
        let provisioning = Provisioning::new(self.repo, self.ports);
        let identity = provisioning
            .identity_for(self.ports.ids.new_id("acc"), &input.main_account)
            .await?;
        let exhibitor = Exhibitor {
            id: self.ports.ids.new_id("exh"),
            name: input.name.trim().into(),
            zone_ids: input.zone_ids.clone(),
            recommendation_quota: input.recommendation_quota,
            main_account_id: identity.account_id.clone(),
            created_at: now,
        };
        let main = Account {
            role: Role::Exhibitor,
            exhibitor_id: Some(exhibitor.id.clone()),
            is_main: true,
            permissions: Permission::ALL.into_iter().collect(),
            zone_ids: input.zone_ids,
            ..account_from(exhibitor.main_account_id.clone(), input.main_account, now)
        };
        let stored = self
            .repo
            .create_exhibitor(
                &exhibitor,
                &main,
                &identity.subject,
                Some(&self.welcome(&main)),
            )
            .await;
        provisioning.settle(&identity, stored).await?;
        Ok(CreatedExhibitor {
            exhibitor,
            main_account: main,
        })
    }

    pub async fn exhibitor_profile(&self, eid: &str) -> Result<ExhibitorProfile, DomainError> {
        let exhibitor = self
            .repo
            .exhibitor(eid)
            .await?
            .ok_or(DomainError::NotFound("exhibitor"))?;
        Ok(ExhibitorProfile {
            id: exhibitor.id,
            name: exhibitor.name,
            zone_ids: exhibitor.zone_ids,
            created_at: exhibitor.created_at,
        })
    }

    pub async fn register_buyer(&self, input: NewBuyer) -> Result<Account, DomainError> {
        let mut checks = Checks::new();
        input.validate(&mut checks);
        checks.into_result()?;
        let profile = AccountProfile {
            name: input.name,
            email: input.email,
            phone: input.phone,
            language: input.language,
            time_zone: input.time_zone,
        };
        let provisioning = Provisioning::new(self.repo, self.ports);
        let identity = provisioning
            .identity_for(self.ports.ids.new_id("acc"), &profile)
            .await?;
        let buyer = Account {
            company: Some(input.company.trim().into()),
            country: Some(input.country.to_ascii_uppercase()),
            ..account_from(identity.account_id.clone(), profile, self.ports.clock.now())
        };
        let stored = self
            .repo
            .create_account(&buyer, &identity.subject, None)
            .await;
        provisioning.settle(&identity, stored).await?;
        Ok(buyer)
    }

    pub async fn set_presence(
        &self,
        caller: &Account,
        presence: Presence,
    ) -> Result<Account, DomainError> {
        require_role(caller, Role::Exhibitor)?;
        let mut account = caller.clone();
        account.online = presence == Presence::Online;
        self.repo
            .save_account_changes(caller, &account)
            .await?
            .map_err(|Gone| DomainError::NotFound("account"))?;
        Ok(account)
    }

    pub async fn accounts(
        &self,
        caller: &Account,
        eid: &str,
        page: &PageRequest,
    ) -> Result<PageOf<Account>, DomainError> {
        require_main(caller, eid)?;
        self.repo.exhibitor_accounts(eid, page).await
    }

    pub async fn create_sub_account(
        &self,
        caller: &Account,
        eid: &str,
        input: NewSubAccount,
    ) -> Result<Account, DomainError> {
        require_main(caller, eid)?;
        let mut checks = Checks::new();
        input.validate(&mut checks);
        checks.into_result()?;
        let profile = AccountProfile {
            name: input.name,
            email: input.email,
            phone: input.phone,
            language: input.language,
            time_zone: input.time_zone,
        };
        let exhibitor = self
            .repo
            .exhibitor(eid)
            .await?
            .ok_or(DomainError::NotFound("exhibitor"))?;
        check_zones(
            &input.zone_ids,
            |z| exhibitor.zone_ids.iter().any(|e| e == z),
            "zoneIds",
            "is not a zone of the exhibitor",
        )?;
        let provisioning = Provisioning::new(self.repo, self.ports);
        let identity = provisioning
            .identity_for(self.ports.ids.new_id("acc"), &profile)
            .await?;
        let account = Account {
            role: Role::Exhibitor,
            exhibitor_id: Some(eid.to_string()),
            permissions: input.permissions,
            zone_ids: input.zone_ids,
            ..account_from(identity.account_id.clone(), profile, self.ports.clock.now())
        };
        let stored = self
            .repo
            .create_account(&account, &identity.subject, Some(&self.welcome(&account)))
            .await;
        provisioning.settle(&identity, stored).await?;
        Ok(account)
    }

    /// One account: the caller's own, or as main one of its exhibitor's. A colleague without
    /// main's rights hears 403 (as for the list); anyone else, another tenant included, 404.
    pub async fn account(&self, caller: &Account, aid: &str) -> Result<Account, DomainError> {
        let account = self.visible_account(caller, aid).await?;
        let of_own_exhibitor = account
            .exhibitor_id
            .as_deref()
            .is_some_and(|eid| caller.is_main_of(eid));
        if account.id != caller.id && !of_own_exhibitor {
            return Err(DomainError::forbidden(
                "only the exhibitor's main account may read a colleague's account",
            ));
        }
        Ok(account)
    }

    /// Main accounts change their sub-accounts; every account changes its own profile, but
    /// not its own permissions or zones.
    /// The account the caller may change (its own, or as main a colleague's): read and
    /// checked before the change is read, so a caller without the right hears 404 or 403
    /// whatever it sent. Which fields it may change depends on the change.
    pub async fn account_to_change(
        &self,
        caller: &Account,
        aid: &str,
    ) -> Result<AccountToChange, DomainError> {
        let account = self.visible_account(caller, aid).await?;
        let by_main = account
            .exhibitor_id
            .as_deref()
            .is_some_and(|eid| caller.is_main_of(eid))
            && !account.is_main;
        if caller.id != account.id && !by_main {
            return Err(DomainError::forbidden(
                "only the exhibitor's main account may change a colleague's account",
            ));
        }
        Ok(AccountToChange { account, by_main })
    }

    pub async fn patch_account(
        &self,
        account: AccountToChange,
        patch: AccountPatch,
    ) -> Result<Account, DomainError> {
        let AccountToChange {
            account: before,
            by_main,
        } = account;
        let mut target = before.clone();
        let changes_rights = patch.permissions.is_some() || patch.zone_ids.is_some();
        if changes_rights && !by_main {
            return Err(if target.is_main {
                DomainError::field(
                    "permissions",
                    "a main account always has every permission and zone",
                )
            } else {
                DomainError::forbidden(
                    "only the exhibitor's main account may change permissions and zones",
                )
            });
        }

        let mut checks = Checks::new();
        if patch.email.is_some() {
            checks.fail("email", "cannot be changed");
        }
        if let Some(name) = &patch.name {
            checks.text("name", name, 200);
        }
        if let Some(phone) = &patch.phone {
            checks.phone("phone", phone.as_deref());
        }
        if let Some(zone) = &patch.time_zone {
            checks.time_zone("timeZone", zone);
        }
        checks.into_result()?;
        if let Some(zone_ids) = &patch.zone_ids {
            let eid = target.exhibitor_id.clone().unwrap_or_default();
            let exhibitor = self
                .repo
                .exhibitor(&eid)
                .await?
                .ok_or(DomainError::NotFound("exhibitor"))?;
            check_zones(
                zone_ids,
                |z| exhibitor.zone_ids.iter().any(|e| e == z),
                "zoneIds",
                "is not a zone of the exhibitor",
            )?;
        }

        if let Some(name) = patch.name {
            target.name = name.trim().into();
        }
        if let Some(phone) = patch.phone {
            target.phone = phone;
        }
        if let Some(language) = patch.language {
            target.language = language;
        }
        if let Some(zone) = patch.time_zone {
            target.time_zone = zone;
        }
        if let Some(permissions) = patch.permissions {
            target.permissions = permissions;
        }
        if let Some(zone_ids) = patch.zone_ids {
            target.zone_ids = zone_ids;
        }
        self.repo
            .save_account_changes(&before, &target)
            .await?
            .map_err(|Gone| DomainError::NotFound("account"))?;
        Ok(target)
    }

    pub async fn deactivate(&self, caller: &Account, aid: &str) -> Result<(), DomainError> {
        let target = self.visible_signed_in(caller, aid).await?;
        let before = target.account;
        let eid = before.exhibitor_id.clone().unwrap_or_default();
        require_main(caller, &eid)?;
        if before.is_main {
            return Err(DomainError::conflict(
                "conflict",
                "the main account cannot be deactivated",
            ));
        }
        let after = Account {
            active: false,
            online: false,
            ..before.clone()
        };
        self.repo
            .save_deactivation(&before, &after, self.ports.clock.now())
            .await?
            .map_err(|Gone| DomainError::NotFound("account"))?;
        // After the store: from here its tokens are refused whatever the provider says.
        Provisioning::new(self.repo, self.ports)
            .disable(&after, target.identity.as_ref())
            .await
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

    pub async fn distribution(
        &self,
        caller: &Account,
        eid: &str,
    ) -> Result<DistributionView, DomainError> {
        require_main(caller, eid)?;
        let settings = self.repo.distribution(eid).await?;
        Ok(DistributionView {
            settings,
            locked: self.distribution_locked().await?,
        })
    }

    pub async fn put_distribution(
        &self,
        caller: &Account,
        eid: &str,
        settings: DistributionSettings,
    ) -> Result<DistributionView, DomainError> {
        require_main(caller, eid)?;
        if self.distribution_locked().await? {
            return Err(DomainError::conflict(
                "settings_locked",
                "distribution modes are locked since the fair's distributionLockAt",
            ));
        }
        self.repo.put_distribution(eid, &settings).await?;
        Ok(DistributionView {
            settings,
            locked: false,
        })
    }

    async fn distribution_locked(&self) -> Result<bool, DomainError> {
        Ok(self
            .repo
            .fair()
            .await?
            .is_some_and(|fair| fair.distribution_locked(self.ports.clock.now())))
    }

    pub async fn auto_replies(
        &self,
        caller: &Account,
        eid: &str,
    ) -> Result<AutoReplies, DomainError> {
        require_main(caller, eid)?;
        self.repo.auto_replies(eid).await
    }

    pub async fn put_auto_replies(
        &self,
        caller: &Account,
        eid: &str,
        replies: AutoReplies,
    ) -> Result<AutoReplies, DomainError> {
        require_main(caller, eid)?;
        let mut checks = Checks::new();
        checks.optional_text("online", replies.online.as_deref(), AUTO_REPLY_MAX_CHARS);
        checks.optional_text("offline", replies.offline.as_deref(), AUTO_REPLY_MAX_CHARS);
        checks.into_result()?;
        // An empty text sends nothing, like null.
        let clean =
            |text: Option<String>| text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let replies = AutoReplies {
            online: clean(replies.online),
            offline: clean(replies.offline),
        };
        self.repo.put_auto_replies(eid, &replies).await?;
        Ok(replies)
    }

    /// A first entry in a new account's message centre.
    fn welcome(&self, account: &Account) -> Notification {
        let (title, body) = match account.language {
            Language::Zh => ("欢迎使用 fairlink", "您的账号已开通。"),
            Language::En => ("Welcome to fairlink", "Your account is ready."),
        };
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
