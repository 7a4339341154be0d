//! A buyer's registration, and an exhibitor account's presence.

use super::*;

impl AccountsService<'_> {
    pub async fn register_buyer(&self, input: NewBuyer) -> Result<Account, DomainError> {
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
}
