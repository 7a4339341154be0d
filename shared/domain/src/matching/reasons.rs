//! Why an exhibit matched, as the matcher found it, and the same in words a buyer (or an
//! exhibitor) reads in its language, from the catalogues (English where one lacks a text).

use serde::{Deserialize, Serialize};

use super::fit::{MarketMatch, UnitKind};
use crate::model::Language;

/// One reason, with a stable code for the front-end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "code",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
pub enum Reason {
    /// The product is what the intent describes, by meaning (in any language).
    SimilarProduct,
    /// Words of the intent found in the exhibit, as the buyer wrote them.
    Keywords {
        words: Vec<String>,
    },
    MoqFits {
        moq: u64,
        unit: String,
        quantity: u64,
    },
    PriceFits {
        min: f64,
        max: f64,
        currency: String,
    },
    CertificationsHeld {
        names: Vec<String>,
    },
    MarketFits {
        country: String,
        region: Option<String>,
    },
}

impl Reason {
    pub fn code(&self) -> &'static str {
        match self {
            Reason::SimilarProduct => "similar_product",
            Reason::Keywords { .. } => "keywords",
            Reason::MoqFits { .. } => "moq_fits",
            Reason::PriceFits { .. } => "price_fits",
            Reason::CertificationsHeld { .. } => "certifications_held",
            Reason::MarketFits { .. } => "market_fits",
        }
    }

    pub fn moq(moq: u64, unit: UnitKind, quantity: u64) -> Self {
        Reason::MoqFits {
            moq,
            unit: unit.code().into(),
            quantity,
        }
    }

    pub fn market(country: &str, how: &MarketMatch) -> Self {
        Reason::MarketFits {
            country: country.into(),
            region: match how {
                MarketMatch::Country => None,
                MarketMatch::Region(region) => Some(region.clone()),
            },
        }
    }

    /// The reason in `language`.
    pub fn text(&self, language: Language) -> String {
        let texts = language.texts();
        match self {
            Reason::SimilarProduct => texts.say("reason-similar-product", &[]),
            Reason::Keywords { words } => texts.say(
                "reason-keywords",
                &[("words", texts.and_list(words).into())],
            ),
            Reason::MoqFits {
                moq,
                unit,
                quantity,
            } => {
                let unit = UnitKind::from_code(unit)
                    .map(|u| u.label(&texts, *moq))
                    .unwrap_or_else(|| unit.clone());
                texts.say(
                    "reason-moq",
                    &[
                        ("moq", texts.integer(*moq).into()),
                        ("unit", unit.into()),
                        ("quantity", texts.integer(*quantity).into()),
                    ],
                )
            }
            Reason::PriceFits { min, max, currency } => texts.say(
                "reason-price",
                &[
                    ("min", texts.decimal(*min, 2).into()),
                    ("max", texts.decimal(*max, 2).into()),
                    ("currency", currency.as_str().into()),
                ],
            ),
            Reason::CertificationsHeld { names } => texts.say(
                "reason-certifications",
                &[("names", texts.and_list(names).into())],
            ),
            Reason::MarketFits { country, region } => {
                let name = country_name(&texts, country);
                match region {
                    Some(region) => texts.say(
                        "reason-market-region",
                        &[("country", name.into()), ("region", region.as_str().into())],
                    ),
                    None => texts.say("reason-market", &[("country", name.into())]),
                }
            }
        }
    }
}

/// A country's name from the catalogues (`country-DE`); a country they do not name is shown
/// by its code.
fn country_name(texts: &fairlink_texts::Texts, code: &str) -> String {
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return code.to_string();
    }
    let id = format!("country-{code}");
    match texts.say(&id, &[]) {
        name if name == id => code.to_string(),
        name => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_sentences_in_english_and_chinese() {
        let moq = Reason::moq(500, UnitKind::Pieces, 2_000);
        assert_eq!(moq.text(Language::EN), "MOQ 500 pcs, within your 2,000");
        assert_eq!(moq.text(Language::ZH), "起订量 500 件，在您的 2,000 以内");
        let spanish = Reason::moq(500, UnitKind::Pieces, 20_000).text(Language::ES);
        assert!(spanish.contains("20.000"), "{spanish}");
        let certs = Reason::CertificationsHeld {
            names: vec!["CE".into(), "RoHS".into()],
        };
        assert_eq!(certs.text(Language::EN), "CE and RoHS held");
        let market = Reason::market("DE", &MarketMatch::Region("EU".into()));
        assert_eq!(market.text(Language::EN), "Ships to Germany (EU)");
        assert_eq!(market.text(Language::ZH), "销往德国（EU）");
        let unknown = Reason::market("ZZ", &MarketMatch::Country);
        assert_eq!(unknown.text(Language::EN), "Ships to ZZ");
        assert_eq!(market.code(), "market_fits");
    }

    #[test]
    fn reasons_serialize_with_their_code() {
        let json = serde_json::to_value(Reason::Keywords {
            words: vec!["drill".into()],
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "keywords", "words": ["drill"]})
        );
    }
}
