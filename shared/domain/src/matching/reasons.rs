//! Why an exhibit matched, as the matcher found it, and the same in words a buyer (or an
//! exhibitor) reads in its language: English and Chinese, English for everyone else.

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
        let zh = language == Language::Zh;
        match self {
            Reason::SimilarProduct if zh => "与您的需求相符的产品".into(),
            Reason::SimilarProduct => "A product like the one you asked for".into(),
            Reason::Keywords { words } if zh => format!("匹配词：{}", words.join("、")),
            Reason::Keywords { words } => format!("Matches your words: {}", words.join(", ")),
            Reason::MoqFits {
                moq,
                unit,
                quantity,
            } => {
                let unit = UnitKind::from_code(unit)
                    .map(|u| u.label(language))
                    .unwrap_or(unit.as_str());
                if zh {
                    format!(
                        "起订量 {} {unit}，在您的 {} 以内",
                        grouped(*moq),
                        grouped(*quantity)
                    )
                } else {
                    format!(
                        "MOQ {} {unit}, within your {}",
                        grouped(*moq),
                        grouped(*quantity)
                    )
                }
            }
            Reason::PriceFits { min, max, currency } if zh => {
                format!("价格 {min:.2}–{max:.2} {currency}，在您的目标价内")
            }
            Reason::PriceFits { min, max, currency } => {
                format!("Price {min:.2}–{max:.2} {currency}, within your target")
            }
            Reason::CertificationsHeld { names } if zh => format!("具备 {} 认证", names.join("、")),
            Reason::CertificationsHeld { names } => format!("{} held", and_list(names)),
            Reason::MarketFits { country, region } => {
                let name = country_name(country, language);
                match (region, zh) {
                    (Some(region), true) => format!("销往{name}（{region}）"),
                    (None, true) => format!("销往{name}"),
                    (Some(region), false) => format!("Ships to {name} ({region})"),
                    (None, false) => format!("Ships to {name}"),
                }
            }
        }
    }
}

/// `1234567` as `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Names of the countries buyers come from most; others are shown by their code.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("US", "the United States", "美国"),
    ("GB", "the United Kingdom", "英国"),
    ("DE", "Germany", "德国"),
    ("FR", "France", "法国"),
    ("ES", "Spain", "西班牙"),
    ("IT", "Italy", "意大利"),
    ("PT", "Portugal", "葡萄牙"),
    ("NL", "the Netherlands", "荷兰"),
    ("BE", "Belgium", "比利时"),
    ("PL", "Poland", "波兰"),
    ("SE", "Sweden", "瑞典"),
    ("RU", "Russia", "俄罗斯"),
    ("KZ", "Kazakhstan", "哈萨克斯坦"),
    ("BY", "Belarus", "白俄罗斯"),
    ("UA", "Ukraine", "乌克兰"),
    ("TR", "Türkiye", "土耳其"),
    ("SA", "Saudi Arabia", "沙特阿拉伯"),
    ("AE", "the United Arab Emirates", "阿联酋"),
    ("EG", "Egypt", "埃及"),
    ("MA", "Morocco", "摩洛哥"),
    ("DZ", "Algeria", "阿尔及利亚"),
    ("QA", "Qatar", "卡塔尔"),
    ("KW", "Kuwait", "科威特"),
    ("IQ", "Iraq", "伊拉克"),
    ("JO", "Jordan", "约旦"),
    ("NG", "Nigeria", "尼日利亚"),
    ("KE", "Kenya", "肯尼亚"),
    ("ZA", "South Africa", "南非"),
    ("SN", "Senegal", "塞内加尔"),
    ("GH", "Ghana", "加纳"),
    ("IN", "India", "印度"),
    ("PK", "Pakistan", "巴基斯坦"),
    ("BD", "Bangladesh", "孟加拉国"),
    ("ID", "Indonesia", "印度尼西亚"),
    ("MY", "Malaysia", "马来西亚"),
    ("SG", "Singapore", "新加坡"),
    ("TH", "Thailand", "泰国"),
    ("VN", "Vietnam", "越南"),
    ("PH", "the Philippines", "菲律宾"),
    ("JP", "Japan", "日本"),
    ("KR", "South Korea", "韩国"),
    ("CN", "China", "中国"),
    ("HK", "Hong Kong", "中国香港"),
    ("TW", "Taiwan", "中国台湾"),
    ("AU", "Australia", "澳大利亚"),
    ("NZ", "New Zealand", "新西兰"),
    ("CA", "Canada", "加拿大"),
    ("MX", "Mexico", "墨西哥"),
    ("BR", "Brazil", "巴西"),
    ("AR", "Argentina", "阿根廷"),
    ("CL", "Chile", "智利"),
    ("CO", "Colombia", "哥伦比亚"),
    ("PE", "Peru", "秘鲁"),
];

fn country_name(code: &str, language: Language) -> String {
    COUNTRIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, cn)| match language {
            Language::Zh => cn.to_string(),
            Language::En => en.to_string(),
        })
        .unwrap_or_else(|| code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_sentences_in_english_and_chinese() {
        let moq = Reason::moq(500, UnitKind::Pieces, 2_000);
        assert_eq!(moq.text(Language::En), "MOQ 500 pcs, within your 2,000");
        assert_eq!(moq.text(Language::Zh), "起订量 500 件，在您的 2,000 以内");
        let certs = Reason::CertificationsHeld {
            names: vec!["CE".into(), "RoHS".into()],
        };
        assert_eq!(certs.text(Language::En), "CE and RoHS held");
        let market = Reason::market("DE", &MarketMatch::Region("EU".into()));
        assert_eq!(market.text(Language::En), "Ships to Germany (EU)");
        assert_eq!(market.text(Language::Zh), "销往德国（EU）");
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
