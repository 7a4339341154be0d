use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::validate::Checks;

/// An account's business card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub account_id: String,
    pub name: String,
    pub title: String,
    pub company: String,
    pub phone: String,
    pub email: String,
    #[schema(required = true)]
    pub address: Option<String>,
    #[schema(required = true)]
    pub website: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub social: std::collections::BTreeMap<String, String>,
    #[serde(with = "crate::time::millis")]
    pub updated_at: DateTime<Utc>,
}

impl Card {
    /// The card an account without a saved one shows: its profile, with its own company or
    /// else its exhibitor's name.
    pub fn from_profile(
        account: &super::Account,
        exhibitor_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Self {
        let company = account
            .company
            .clone()
            .or_else(|| exhibitor_name.map(str::to_string))
            .unwrap_or_default();
        Self {
            account_id: account.id.clone(),
            name: account.name.clone(),
            title: String::new(),
            company,
            phone: account.phone.clone().unwrap_or_default(),
            email: account.email.clone(),
            address: None,
            website: None,
            social: Default::default(),
            updated_at: now,
        }
    }

    pub fn check(&self, checks: &mut Checks) {
        checks.text("name", &self.name, 200);
        checks.text("title", &self.title, 200);
        checks.text("company", &self.company, 200);
        checks.text("phone", &self.phone, 40);
        checks.email("email", &self.email);
        checks.optional_text("address", self.address.as_deref(), 500);
        checks.optional_text("website", self.website.as_deref(), 500);
        checks.check(
            self.website
                .as_deref()
                .is_none_or(super::exhibit::is_web_url),
            "website",
            "must be an http or https URL",
        );
        checks.check(
            self.social.len() <= 10,
            "social",
            "has more than 10 entries",
        );
        for (network, handle) in &self.social {
            checks.check(
                !network.trim().is_empty() && network.len() <= 50 && handle.chars().count() <= 200,
                &format!("social.{network}"),
                "names are 1 to 50 characters, handles at most 200",
            );
        }
    }
}

/// A card one account received from another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReceivedCard {
    pub id: String,
    pub card: Card,
    pub sender_id: String,
    pub recipient_id: String,
    #[schema(required = true)]
    pub conversation_id: Option<String>,
    #[schema(required = true)]
    pub booking_id: Option<String>,
    #[serde(with = "crate::time::millis")]
    pub received_at: DateTime<Utc>,
}
