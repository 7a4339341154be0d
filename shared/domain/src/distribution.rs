//! Who receives an intent or a conversation (DESIGN.md, "Distribution").

use rand::seq::IndexedRandom;

use crate::model::{Account, DistributionMode, Permission};

/// What is being handed to one of an exhibitor's accounts.
pub struct Distribution<'a> {
    pub mode: DistributionMode,
    /// `Intents` for intents, `Im` for conversations.
    pub permission: Permission,
    /// The sales reps of the exhibit in context, if there is one.
    pub exhibit_reps: Option<&'a [String]>,
    /// The exhibit's zone; with no exhibit, any of `exhibitor_zones`.
    pub exhibit_zone: Option<&'a str>,
    pub exhibitor_zones: &'a [String],
    /// Manual conversations: the assignee of the buyer's active conversation, if any.
    pub continuing_with: Option<&'a str>,
}

impl Distribution<'_> {
    /// The receiving account among the exhibitor's `accounts` (main included): in `auto`, a
    /// random rep able to receive, else a random sub-account of the zone able to receive,
    /// else the main account; in `manual`, the continuing assignee (when still able) or main.
    pub fn pick<'a>(
        &self,
        accounts: &'a [Account],
        rng: &mut impl rand::Rng,
    ) -> Option<&'a Account> {
        let main = accounts.iter().find(|a| a.is_main);
        let able = |a: &&Account| a.can(self.permission);
        match self.mode {
            DistributionMode::Manual => self
                .continuing_with
                .and_then(|id| accounts.iter().filter(able).find(|a| a.id == id))
                .or(main),
            DistributionMode::Auto => {
                let reps: Vec<&Account> = match self.exhibit_reps {
                    Some(reps) => accounts
                        .iter()
                        .filter(able)
                        .filter(|a| reps.contains(&a.id))
                        .collect(),
                    None => Vec::new(),
                };
                if let Some(rep) = reps.choose(rng) {
                    return Some(rep);
                }
                let zone_accounts: Vec<&Account> = accounts
                    .iter()
                    .filter(able)
                    .filter(|a| !a.is_main)
                    .filter(|a| match self.exhibit_zone {
                        Some(zone) => a.zone_ids.iter().any(|z| z == zone),
                        None => a.zone_ids.iter().any(|z| self.exhibitor_zones.contains(z)),
                    })
                    .collect();
                zone_accounts.choose(rng).copied().or(main)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::Utc;

    use super::*;
    use crate::model::{Language, Role};

    fn account(id: &str, main: bool, permissions: &[Permission], zones: &[&str]) -> Account {
        Account {
            id: id.into(),
            role: Role::Exhibitor,
            exhibitor_id: Some("exh".into()),
            is_main: main,
            name: id.into(),
            email: format!("{id}@example.com"),
            phone: None,
            language: Language::EN,
            time_zone: "Asia/Shanghai".into(),
            permissions: permissions.iter().copied().collect::<BTreeSet<_>>(),
            zone_ids: zones.iter().map(|z| z.to_string()).collect(),
            online: false,
            active: true,
            company: None,
            country: None,
            created_at: Utc::now(),
        }
    }

    fn auto<'a>(
        reps: Option<&'a [String]>,
        zone: Option<&'a str>,
        zones: &'a [String],
    ) -> Distribution<'a> {
        Distribution {
            mode: DistributionMode::Auto,
            permission: Permission::Intents,
            exhibit_reps: reps,
            exhibit_zone: zone,
            exhibitor_zones: zones,
            continuing_with: None,
        }
    }

    #[test]
    fn auto_prefers_able_reps_then_zone_accounts_then_main() {
        let accounts = vec![
            account("main", true, &[], &[]),
            account("rep_unable", false, &[Permission::Im], &["audio"]),
            account("rep", false, &[Permission::Intents], &[]),
            account("zone", false, &[Permission::Intents], &["audio"]),
        ];
        let mut rng = rand::rng();
        let zones = vec!["audio".to_string()];
        let reps = vec!["rep_unable".to_string(), "rep".to_string()];
        for _ in 0..20 {
            let picked = auto(Some(&reps), Some("audio"), &zones).pick(&accounts, &mut rng);
            assert_eq!(picked.unwrap().id, "rep");
        }
        let only_unable = vec!["rep_unable".to_string()];
        let picked = auto(Some(&only_unable), Some("audio"), &zones).pick(&accounts, &mut rng);
        assert_eq!(picked.unwrap().id, "zone");
        let picked = auto(None, Some("home"), &zones).pick(&accounts, &mut rng);
        assert_eq!(picked.unwrap().id, "main");
        let picked = auto(None, None, &zones).pick(&accounts, &mut rng);
        assert_eq!(picked.unwrap().id, "zone");
    }

    #[test]
    fn auto_spreads_over_the_able_reps() {
        let accounts = vec![
            account("main", true, &[], &[]),
            account("a", false, &[Permission::Intents], &[]),
            account("b", false, &[Permission::Intents], &[]),
        ];
        let reps = vec!["a".to_string(), "b".to_string()];
        let mut rng = rand::rng();
        let picks: BTreeSet<String> = (0..64)
            .map(|_| {
                auto(Some(&reps), None, &[])
                    .pick(&accounts, &mut rng)
                    .unwrap()
                    .id
                    .clone()
            })
            .collect();
        assert_eq!(picks.len(), 2);
    }

    #[test]
    fn manual_goes_to_main_or_continues_with_an_able_assignee() {
        let mut inactive = account("gone", false, &[Permission::Im], &[]);
        inactive.active = false;
        let accounts = vec![
            account("main", true, &[], &[]),
            account("a", false, &[Permission::Im], &[]),
            inactive,
        ];
        let mut rng = rand::rng();
        let mut manual = Distribution {
            mode: DistributionMode::Manual,
            permission: Permission::Im,
            exhibit_reps: None,
            exhibit_zone: None,
            exhibitor_zones: &[],
            continuing_with: None,
        };
        assert_eq!(manual.pick(&accounts, &mut rng).unwrap().id, "main");
        manual.continuing_with = Some("a");
        assert_eq!(manual.pick(&accounts, &mut rng).unwrap().id, "a");
        manual.continuing_with = Some("gone");
        assert_eq!(manual.pick(&accounts, &mut rng).unwrap().id, "main");
    }
}
