//! Exhibitors the organizer creates, with their main account, and their public profile.

use super::*;

impl AccountsService<'_> {
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
        fair.offers(input.main_account.language)?;
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
}
