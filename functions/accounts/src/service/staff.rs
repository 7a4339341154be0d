//! An exhibitor's accounts: listed, created by the main account, read, changed and
//! deactivated.

use super::*;

impl AccountsService<'_> {
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
        self.require_offered(input.language).await?;
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
        if let Some(language) = patch.language {
            self.require_offered(language).await?;
        }
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
}
