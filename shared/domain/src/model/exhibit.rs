use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::Checks;

/// A minimum order quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Moq {
    pub quantity: u64,
    pub unit: String,
}

/// A price range in one currency (ISO 4217, such as `USD`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PriceRange {
    pub min: f64,
    pub max: f64,
    pub currency: String,
}

impl PriceRange {
    pub fn check(&self, checks: &mut Checks, field: &str) {
        checks.check(
            self.min.is_finite() && self.max.is_finite() && self.min >= 0.0,
            field,
            "min and max must be numbers of at least 0",
        );
        checks.check(self.min <= self.max, field, "min must not exceed max");
        checks.check(
            self.currency.len() == 3 && self.currency.chars().all(|c| c.is_ascii_uppercase()),
            &format!("{field}.currency"),
            "must be an ISO 4217 code such as USD",
        );
    }
}

/// The describing fields of an exhibit: what its exhibitor writes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExhibitDetails {
    pub name: String,
    #[serde(default)]
    #[schema(required = true)]
    pub name_en: Option<String>,
    pub category_id: String,
    /// The category's zone when not given.
    #[serde(default)]
    #[schema(required = true)]
    pub zone_id: String,
    #[serde(default)]
    #[schema(required = true)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub keywords: Vec<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub specs: BTreeMap<String, String>,
    #[serde(default)]
    #[schema(required = true)]
    pub moq: Option<Moq>,
    #[serde(default)]
    #[schema(required = true)]
    pub price: Option<PriceRange>,
    #[serde(default)]
    #[schema(required = true)]
    pub certifications: Vec<String>,
    /// Markets served: ISO 3166-1 alpha-2 country codes, or regions (`EU`, `GCC`, `MENA`,
    /// `LATAM`, `ASEAN`, `EAEU`, `NA`) that cover their members.
    #[serde(default)]
    #[schema(required = true)]
    pub markets: Vec<String>,
    /// https URLs of images.
    #[serde(default)]
    #[schema(required = true)]
    pub images: Vec<String>,
}

impl ExhibitDetails {
    /// The share of describing fields filled in, from 0 to 1: the name alone gives 0.1,
    /// every further field adds as much.
    pub fn completeness(&self) -> f64 {
        let filled = [
            !self.name.trim().is_empty(),
            self.name_en
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            self.description
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            !self.keywords.is_empty(),
            !self.specs.is_empty(),
            self.moq.is_some(),
            self.price.is_some(),
            !self.certifications.is_empty(),
            !self.markets.is_empty(),
            !self.images.is_empty(),
        ];
        let count = filled.iter().filter(|f| **f).count();
        (count as f64 / filled.len() as f64 * 100.0).round() / 100.0
    }

    /// Field checks other than the category's existence (the fair knows those).
    pub fn check(&self, checks: &mut Checks) {
        checks.text("name", &self.name, 200);
        checks.optional_text("nameEn", self.name_en.as_deref(), 200);
        checks.text("categoryId", &self.category_id, 100);
        checks.optional_text("description", self.description.as_deref(), 10_000);
        list(checks, "keywords", &self.keywords, 30, 100);
        list(checks, "certifications", &self.certifications, 30, 100);
        checks.check(self.specs.len() <= 50, "specs", "has more than 50 entries");
        for (name, value) in &self.specs {
            checks.check(
                !name.trim().is_empty()
                    && name.chars().count() <= 100
                    && value.chars().count() <= 500,
                &format!("specs.{name}"),
                "names must be 1 to 100 characters and values at most 500",
            );
        }
        if let Some(moq) = &self.moq {
            checks.check(moq.quantity > 0, "moq.quantity", "must be at least 1");
            checks.text("moq.unit", &moq.unit, 30);
        }
        if let Some(price) = &self.price {
            price.check(checks, "price");
        }
        checks.check(self.markets.len() <= 250, "markets", "has too many entries");
        for (i, market) in self.markets.iter().enumerate() {
            checks.check(
                is_country_code(market) || crate::matching::fit::is_region(market),
                &format!("markets[{i}]"),
                "must be an ISO 3166-1 alpha-2 code such as US, or a region: EU, GCC, MENA, LATAM, ASEAN, EAEU, NA",
            );
        }
        checks.check(
            self.images.len() <= 20,
            "images",
            "has more than 20 entries",
        );
        for (i, image) in self.images.iter().enumerate() {
            checks.check(
                is_https_url(image),
                &format!("images[{i}]"),
                "must be an https URL",
            );
        }
    }
}

fn list(checks: &mut Checks, field: &str, values: &[String], max_len: usize, max_chars: usize) {
    checks.check(
        values.len() <= max_len,
        field,
        &format!("has more than {max_len} entries"),
    );
    for (i, value) in values.iter().enumerate() {
        checks.text(&format!("{field}[{i}]"), value, max_chars);
    }
}

pub fn is_country_code(value: &str) -> bool {
    value.len() == 2 && value.chars().all(|c| c.is_ascii_uppercase())
}

/// An http or https URL (a card's website): never `javascript:`, `data:` or `file:`, which a
/// page showing the link would follow.
pub fn is_web_url(value: &str) -> bool {
    value.len() <= 2_000
        && ["https://", "http://"].iter().any(|scheme| {
            value
                .get(..scheme.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(scheme))
                && value[scheme.len()..]
                    .split('/')
                    .next()
                    .is_some_and(|host| !host.is_empty())
        })
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

pub fn is_https_url(value: &str) -> bool {
    value.len() <= 2_000
        && value
            .strip_prefix("https://")
            .is_some_and(|rest| rest.split('/').next().is_some_and(|host| !host.is_empty()))
        && !value.chars().any(char::is_whitespace)
}

/// An exhibit of an exhibitor's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Exhibit {
    pub id: String,
    pub exhibitor_id: String,
    #[serde(flatten)]
    pub details: ExhibitDetails,
    /// The exhibit's sales reps: accounts of its exhibitor.
    #[serde(default)]
    #[schema(required = true)]
    pub rep_ids: Vec<String>,
    pub completeness: f64,
    /// Set while the exhibit is recommended.
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub recommended_at: Option<DateTime<Utc>>,
    /// Intents this exhibit matched, counted by the matcher.
    #[serde(default)]
    #[schema(required = true)]
    pub matched_intents: u64,
    /// Buyers this exhibit was pushed to.
    #[serde(default)]
    #[schema(required = true)]
    pub pushed_buyers: u64,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::time::millis")]
    pub updated_at: DateTime<Utc>,
}

/// An exhibitor's recommendation quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    pub total: u32,
    pub used: u32,
    pub remaining: u32,
}

impl Quota {
    pub fn new(total: u32, used: u32) -> Self {
        Self {
            total,
            used,
            remaining: total.saturating_sub(used),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_are_http_or_https_only() {
        for good in [
            "https://acme.example",
            "http://acme.example/about",
            "HTTPS://Acme.example",
        ] {
            assert!(is_web_url(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "https://",
            "//acme.example",
            "https://acme.example/a b",
            "ftp://acme.example",
        ] {
            assert!(!is_web_url(bad), "{bad}");
        }
    }

    #[test]
    fn completeness_grows_with_every_filled_field() {
        let mut details = ExhibitDetails {
            name: "Speaker".into(),
            category_id: "speakers".into(),
            ..Default::default()
        };
        assert_eq!(details.completeness(), 0.1);
        details.description = Some("Loud".into());
        assert_eq!(details.completeness(), 0.2);
        details.keywords = vec!["bluetooth".into()];
        details.images = vec!["https://img.example/1.jpg".into()];
        assert_eq!(details.completeness(), 0.4);
    }

    #[test]
    fn image_urls_must_be_https() {
        assert!(is_https_url("https://cdn.example.com/a.jpg"));
        assert!(!is_https_url("http://cdn.example.com/a.jpg"));
        assert!(!is_https_url("https:///a.jpg"));
        assert!(!is_https_url("https://a b"));
    }
}
