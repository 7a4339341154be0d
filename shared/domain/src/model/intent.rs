use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PriceRange;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Quantity {
    pub amount: u64,
    pub unit: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum IntentStatus {
    Open,
    Closed,
    /// Open, but past its `validUntil`: it no longer matches.
    Expired,
}

/// A buyer's procurement intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    pub id: String,
    pub buyer_id: String,
    pub product_name: String,
    pub category_id: String,
    #[schema(required = true)]
    pub description: Option<String>,
    #[serde(default)]
    #[schema(required = true)]
    pub keywords: Vec<String>,
    pub quantity: Quantity,
    #[schema(required = true)]
    pub target_price: Option<PriceRange>,
    /// ISO 3166-1 alpha-2.
    pub destination_country: String,
    #[serde(default)]
    #[schema(required = true)]
    pub certifications: Vec<String>,
    #[serde(with = "crate::time::millis")]
    pub valid_until: DateTime<Utc>,
    /// The exhibitor it was addressed to, if any.
    #[schema(required = true)]
    pub exhibitor_id: Option<String>,
    #[schema(required = true)]
    pub exhibit_id: Option<String>,
    pub status: IntentStatus,
    #[serde(with = "crate::time::millis")]
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub closed_at: Option<DateTime<Utc>>,
}

impl Intent {
    /// Whether it should still be matched at `now`.
    pub fn is_open_at(&self, now: DateTime<Utc>) -> bool {
        self.status == IntentStatus::Open && self.valid_until > now
    }

    /// The intent as shown at `now`: an open one past its `validUntil` reads as expired.
    pub fn as_of(mut self, now: DateTime<Utc>) -> Self {
        if self.status == IntentStatus::Open && self.valid_until <= now {
            self.status = IntentStatus::Expired;
        }
        self
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum DeliveryStatus {
    Assigned,
    Completed,
}

/// An intent delivered to an exhibitor and assigned to one of its accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct IntentDelivery {
    pub intent: Intent,
    pub exhibitor_id: String,
    #[schema(required = true)]
    pub exhibit_id: Option<String>,
    pub assignee_id: String,
    pub status: DeliveryStatus,
    #[serde(with = "crate::time::millis")]
    pub delivered_at: DateTime<Utc>,
    #[serde(with = "crate::time::millis")]
    pub assigned_at: DateTime<Utc>,
    #[schema(required = true)]
    #[serde(default, with = "crate::time::millis_opt")]
    pub completed_at: Option<DateTime<Utc>>,
}

/// A recommended exhibit that matched an intent, as its exhibitor sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExhibitMatch {
    pub intent: Intent,
    pub exhibit_id: String,
    pub score: f64,
    /// Why it matched, in the words of the exhibitor's main account's language.
    pub reasons: Vec<String>,
    /// A stable code per reason, in the same order (`similar_product`, `keywords`,
    /// `moq_fits`, `price_fits`, `certifications_held`, `market_fits`).
    #[serde(default)]
    #[schema(required = true)]
    pub reason_codes: Vec<String>,
    #[serde(with = "crate::time::millis")]
    pub matched_at: DateTime<Utc>,
}

/// A recommended exhibit pushed to a buyer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Push {
    pub id: String,
    pub exhibit: super::Exhibit,
    pub exhibitor_id: String,
    pub intent_id: String,
    pub score: f64,
    /// Why it matched, in the buyer's language (English unless Chinese).
    pub reasons: Vec<String>,
    /// A stable code per reason, in the same order (see [`ExhibitMatch::reason_codes`]).
    #[serde(default)]
    #[schema(required = true)]
    pub reason_codes: Vec<String>,
    #[serde(with = "crate::time::millis")]
    pub pushed_at: DateTime<Utc>,
    /// The buyer's verdict on it, once given (the last one stands).
    #[serde(default)]
    #[schema(required = true)]
    pub feedback: Option<PushFeedback>,
}

/// A buyer's verdict on a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Relevant,
    NotRelevant,
}

/// Why a buyer found a push not relevant.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DismissalReason {
    /// Not the product asked for.
    WrongProduct,
    Price,
    Moq,
    Certification,
    Market,
    Other,
}

impl DismissalReason {
    pub const ALL: [DismissalReason; 6] = [
        Self::WrongProduct,
        Self::Price,
        Self::Moq,
        Self::Certification,
        Self::Market,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::WrongProduct => "wrong_product",
            Self::Price => "price",
            Self::Moq => "moq",
            Self::Certification => "certification",
            Self::Market => "market",
            Self::Other => "other",
        }
    }

    /// Whether the product itself was right (a term of the offer was not): such a push is
    /// graded as the labelled set grades an exact product that misses one criterion.
    pub fn right_product(self) -> bool {
        matches!(
            self,
            Self::Price | Self::Moq | Self::Certification | Self::Market
        )
    }
}

/// A verdict with its reason and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PushFeedback {
    pub verdict: Verdict,
    #[serde(default)]
    #[schema(required = true)]
    pub reason: Option<DismissalReason>,
    #[serde(with = "crate::time::millis")]
    pub at: DateTime<Utc>,
}

impl PushFeedback {
    pub fn dismisses(&self) -> bool {
        self.verdict == Verdict::NotRelevant
    }

    /// The grade the labelled set would give the pair (0–3, its README's rules): relevant
    /// is an exact product, a dismissal for the terms of the offer one criterion off, any
    /// other dismissal unrelated.
    pub fn grade(&self) -> u8 {
        match (self.verdict, self.reason) {
            (Verdict::Relevant, _) => 3,
            (Verdict::NotRelevant, Some(reason)) if reason.right_product() => 2,
            (Verdict::NotRelevant, _) => 0,
        }
    }
}

/// How buyers judged the pushes of one exhibit: counts only, never who.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExhibitFeedback {
    pub relevant: u64,
    pub dismissed: u64,
    /// Dismissals per reason (`wrong_product`, `price`, …); reasons nobody gave are left out.
    pub by_reason: std::collections::BTreeMap<String, u64>,
}
