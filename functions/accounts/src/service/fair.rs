//! The fair's settings: its name, time zone, categories and zones.

use super::*;

impl AccountsService<'_> {
    pub async fn fair(&self) -> Result<Fair, DomainError> {
        self.repo.fair().await?.ok_or(DomainError::NotFound("fair"))
    }

    pub async fn put_fair(&self, caller: &Account, input: FairInput) -> Result<Fair, DomainError> {
        require_role(caller, Role::Organizer)?;
        let existing = self.repo.fair().await?;
        let id = match (input.id, &existing) {
            (Some(id), _) => id,
            (None, Some(existing)) => existing.id.clone(),
            (None, None) => self.ports.ids.new_id("fair"),
        };
        let languages = match (input.languages, existing) {
            (Some(languages), _) => languages,
            (None, Some(existing)) => existing.languages,
            (None, None) => Language::FAIR_DEFAULTS.to_vec(),
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
            languages,
        };
        fair.validate()?;
        self.repo.put_fair(&fair).await?;
        Ok(fair)
    }
}
