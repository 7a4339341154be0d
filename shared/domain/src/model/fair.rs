use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Language;
use crate::{error::DomainError, validate::Checks};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Zone {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Category {
    pub id: String,
    pub name: String,
    pub zone_id: String,
    #[serde(default)]
    pub parent_id: Option<String>,
}

/// The fair's settings, set by the organizer. There is one fair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fair {
    pub id: String,
    pub name: String,
    /// The fair's own zone (Asia/Shanghai for Canton): times are shown in it.
    pub time_zone: String,
    #[serde(with = "crate::time::millis")]
    pub starts_at: DateTime<Utc>,
    #[serde(with = "crate::time::millis")]
    pub ends_at: DateTime<Utc>,
    /// After this instant exhibitors can no longer change their distribution modes.
    #[serde(with = "crate::time::millis")]
    pub distribution_lock_at: DateTime<Utc>,
    pub default_recommendation_quota: u32,
    pub zones: Vec<Zone>,
    pub categories: Vec<Category>,
    /// What one unit of each currency is worth in US dollars (`{"EUR": 1.08, "CNY": 0.14}`),
    /// so that target prices and exhibit prices in different currencies are compared.
    #[serde(default)]
    #[schema(required = true)]
    pub exchange_rates: BTreeMap<String, f64>,
    /// The languages accounts may speak (BCP 47 tags); texts in a language without a
    /// catalogue are in English.
    #[serde(default = "default_languages")]
    #[schema(required = true)]
    pub languages: Vec<Language>,
}

fn default_languages() -> Vec<Language> {
    Language::FAIR_DEFAULTS.to_vec()
}

/// Whether an account may speak `language` where these are offered: one of them, or a
/// regional form of one (`pt-BR` where `pt` is offered); otherwise the refusal that lists
/// them.
pub fn language_offered(offered: &[Language], language: Language) -> Result<(), DomainError> {
    let plain = |l: &Language| !l.as_str().contains('-');
    if offered
        .iter()
        .any(|l| *l == language || (plain(l) && l.as_str() == language.primary()))
    {
        Ok(())
    } else {
        Err(DomainError::UnsupportedLanguage {
            language,
            offered: offered.to_vec(),
        })
    }
}

/// A fair offers at most this many languages.
pub const MAX_LANGUAGES: usize = 100;

pub const MAX_RECOMMENDATION_QUOTA: u32 = 10_000;

impl Fair {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut checks = Checks::new();
        checks.text("name", &self.name, 200);
        checks.time_zone("timeZone", &self.time_zone);
        checks.instant("startsAt", self.starts_at);
        checks.instant("endsAt", self.ends_at);
        checks.instant("distributionLockAt", self.distribution_lock_at);
        checks.check(
            self.starts_at < self.ends_at,
            "endsAt",
            "must be after startsAt",
        );
        checks.check(
            self.default_recommendation_quota <= MAX_RECOMMENDATION_QUOTA,
            "defaultRecommendationQuota",
            "is too large",
        );
        let mut zone_ids = HashSet::new();
        for (i, zone) in self.zones.iter().enumerate() {
            checks.text(&format!("zones[{i}].id"), &zone.id, 64);
            checks.text(&format!("zones[{i}].name"), &zone.name, 200);
            checks.check(
                zone_ids.insert(zone.id.as_str()),
                &format!("zones[{i}].id"),
                "is repeated",
            );
        }
        let category_ids: HashSet<&str> = self.categories.iter().map(|c| c.id.as_str()).collect();
        checks.check(
            category_ids.len() == self.categories.len(),
            "categories",
            "category ids must be unique",
        );
        for (i, category) in self.categories.iter().enumerate() {
            checks.text(&format!("categories[{i}].id"), &category.id, 64);
            checks.text(&format!("categories[{i}].name"), &category.name, 200);
            checks.check(
                zone_ids.contains(category.zone_id.as_str()),
                &format!("categories[{i}].zoneId"),
                "is not a zone of the fair",
            );
            if let Some(parent) = &category.parent_id {
                checks.check(
                    parent != &category.id && category_ids.contains(parent.as_str()),
                    &format!("categories[{i}].parentId"),
                    "is not another category of the fair",
                );
            }
        }
        checks.check(
            self.exchange_rates.len() <= 200,
            "exchangeRates",
            "has more than 200 entries",
        );
        for (currency, rate) in &self.exchange_rates {
            checks.check(
                currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase()),
                &format!("exchangeRates.{currency}"),
                "must be keyed by an ISO 4217 code such as EUR",
            );
            checks.check(
                rate.is_finite() && *rate > 0.0 && *rate < 1e6,
                &format!("exchangeRates.{currency}"),
                "must be a positive number of US dollars",
            );
        }
        checks.check(
            !self.languages.is_empty() && self.languages.len() <= MAX_LANGUAGES,
            "languages",
            "must list 1 to 100 languages",
        );
        let mut seen = HashSet::new();
        for (i, language) in self.languages.iter().enumerate() {
            checks.check(
                seen.insert(*language),
                &format!("languages[{i}]"),
                "is repeated",
            );
        }
        checks.into_result()
    }

    /// Whether an account may speak `language` here ([`language_offered`]).
    pub fn offers(&self, language: Language) -> Result<(), DomainError> {
        language_offered(&self.languages, language)
    }

    /// The fair's exchange rates, for matching.
    pub fn rates(&self) -> crate::matching::fit::ExchangeRates {
        crate::matching::fit::ExchangeRates(self.exchange_rates.clone())
    }

    pub fn has_zone(&self, zone_id: &str) -> bool {
        self.zones.iter().any(|z| z.id == zone_id)
    }

    pub fn distribution_locked(&self, now: DateTime<Utc>) -> bool {
        now >= self.distribution_lock_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fair() -> Fair {
        Fair {
            id: "fair".into(),
            name: "Canton Fair 129".into(),
            time_zone: "Asia/Shanghai".into(),
            starts_at: "2021-04-15T00:00:00Z".parse().unwrap(),
            ends_at: "2021-04-24T16:00:00Z".parse().unwrap(),
            distribution_lock_at: "2021-04-14T00:00:00Z".parse().unwrap(),
            default_recommendation_quota: 10,
            zones: vec![Zone {
                id: "z1".into(),
                name: "Electronics".into(),
            }],
            categories: vec![
                Category {
                    id: "c1".into(),
                    name: "Audio".into(),
                    zone_id: "z1".into(),
                    parent_id: None,
                },
                Category {
                    id: "c2".into(),
                    name: "Speakers".into(),
                    zone_id: "z1".into(),
                    parent_id: Some("c1".into()),
                },
            ],
            exchange_rates: [("EUR".to_string(), 1.08)].into(),
            languages: Language::FAIR_DEFAULTS.to_vec(),
        }
    }

    #[test]
    fn a_fair_offers_its_languages_and_their_regional_forms() {
        let mut fair = fair();
        fair.offers(Language::RU).unwrap();
        fair.offers(Language::parse("pt-BR").unwrap()).unwrap();
        let german = Language::parse("de").unwrap();
        let DomainError::UnsupportedLanguage { language, offered } =
            fair.offers(german).unwrap_err()
        else {
            panic!()
        };
        assert_eq!((language, offered.len()), (german, 7));
        fair.languages.push(german);
        fair.offers(german).unwrap();
        fair.languages = vec![Language::parse("zh-Hant").unwrap()];
        assert!(
            fair.offers(Language::ZH).is_err(),
            "zh-Hant offers no other Chinese"
        );
        fair.languages = vec![Language::EN, Language::EN];
        assert!(fair.validate().is_err(), "a language twice");
        fair.languages.clear();
        assert!(fair.validate().is_err(), "no language");
    }

    #[test]
    fn a_consistent_fair_is_valid() {
        fair().validate().unwrap();
    }

    #[test]
    fn categories_must_point_at_known_zones_and_parents() {
        let mut bad = fair();
        bad.categories[1].zone_id = "z9".into();
        bad.categories[1].parent_id = Some("c9".into());
        bad.time_zone = "Asia/Nowhere".into();
        bad.exchange_rates.insert("eur".into(), -1.0);
        let DomainError::Validation(errors) = bad.validate().unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "timeZone",
                "categories[1].zoneId",
                "categories[1].parentId",
                "exchangeRates.eur",
                "exchangeRates.eur"
            ]
        );
    }

    #[test]
    fn distribution_locks_at_the_lock_time() {
        let fair = fair();
        assert!(!fair.distribution_locked("2021-04-13T23:59:59Z".parse().unwrap()));
        assert!(fair.distribution_locked("2021-04-14T00:00:00Z".parse().unwrap()));
    }
}
