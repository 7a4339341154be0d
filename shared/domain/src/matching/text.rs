//! Search terms of a text, in any of the fair's languages: Chinese segmented into words
//! (jieba) rather than character bigrams, other scripts split into words, lower-cased, stop
//! words dropped (NLTK's lists, plus the words of trade listings that say nothing about the
//! product: 厂家直销, wholesale, OEM…) and stemmed with the Snowball stemmer of the text's
//! language, so that "batteries" meets "battery" and "baterías" meets "batería".

use std::{collections::HashSet, sync::OnceLock};

use jieba_rs::Jieba;
use rust_stemmers::{Algorithm, Stemmer};

/// The languages text analysis tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextLanguage {
    English,
    Spanish,
    Portuguese,
    French,
    Russian,
    Arabic,
}

const LATIN: [TextLanguage; 4] = [
    TextLanguage::English,
    TextLanguage::Spanish,
    TextLanguage::Portuguese,
    TextLanguage::French,
];

impl TextLanguage {
    fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Spanish => "es",
            Self::Portuguese => "pt",
            Self::French => "fr",
            Self::Russian => "ru",
            Self::Arabic => "ar",
        }
    }

    fn algorithm(self) -> Algorithm {
        match self {
            Self::English => Algorithm::English,
            Self::Spanish => Algorithm::Spanish,
            Self::Portuguese => Algorithm::Portuguese,
            Self::French => Algorithm::French,
            Self::Russian => Algorithm::Russian,
            Self::Arabic => Algorithm::Arabic,
        }
    }

    /// Listing words that describe the offer, not the product.
    fn listing_words(self) -> &'static [&'static str] {
        match self {
            Self::English => &[
                "high",
                "quality",
                "factory",
                "wholesale",
                "supplier",
                "suppliers",
                "manufacturer",
                "oem",
                "odm",
                "new",
                "hot",
                "sale",
                "sales",
                "best",
                "price",
                "cheap",
                "custom",
                "customized",
                "product",
                "products",
                "china",
                "chinese",
                "professional",
                "pcs",
                "piece",
                "pieces",
                "buy",
                "need",
                "needed",
                "looking",
                "purchase",
                "want",
                "supply",
                "import",
                "order",
                "direct",
                "stock",
                "style",
                "type",
                "good",
                "top",
                "premium",
                "brand",
                "item",
                "items",
                "bulk",
            ],
            Self::Spanish => &[
                "comprar",
                "necesito",
                "necesitamos",
                "busco",
                "buscamos",
                "compra",
                "proveedor",
                "proveedores",
                "calidad",
                "alta",
                "fabricante",
                "precio",
                "mayor",
                "importación",
                "pedido",
                "producto",
                "productos",
                "tipo",
                "unidades",
            ],
            Self::Portuguese => &[
                "compra",
                "comprar",
                "preciso",
                "precisamos",
                "procuro",
                "procuramos",
                "fornecedor",
                "fornecedores",
                "qualidade",
                "alta",
                "fabricante",
                "preço",
                "atacado",
                "importação",
                "pedido",
                "produto",
                "produtos",
                "tipo",
                "unidades",
            ],
            Self::French => &[
                "achat",
                "acheter",
                "cherche",
                "cherchons",
                "recherche",
                "fournisseur",
                "fournisseurs",
                "qualité",
                "haute",
                "fabricant",
                "prix",
                "gros",
                "importation",
                "commande",
                "produit",
                "produits",
                "type",
                "pièces",
            ],
            Self::Russian => &[
                "купить",
                "закупка",
                "закупаем",
                "нужны",
                "нужен",
                "нужна",
                "ищем",
                "ищу",
                "поставщик",
                "поставщика",
                "качество",
                "качественные",
                "оптом",
                "опт",
                "товар",
                "производитель",
                "заказ",
                "тип",
                "штук",
                "шт",
            ],
            Self::Arabic => &[
                "شراء",
                "مطلوب",
                "نبحث",
                "نحتاج",
                "مورد",
                "موردين",
                "جودة",
                "عالية",
                "مصنع",
                "سعر",
                "بالجملة",
                "استيراد",
                "طلب",
                "منتج",
                "منتجات",
                "قطعة",
            ],
        }
    }
}

/// Chinese words of listings that say nothing about the product, and function characters.
const CHINESE_NOISE: &[&str] = &[
    "厂家",
    "直销",
    "现货",
    "批发",
    "供应",
    "定制",
    "新款",
    "热卖",
    "优质",
    "高品质",
    "采购",
    "求购",
    "需要",
    "寻找",
    "工厂",
    "产品",
    "款",
    "型",
    "用",
    "的",
    "专业",
    "品质",
    "高档",
    "爆款",
    "跨境",
    "货源",
    "包邮",
    "一件代发",
    "厂家直销",
    "和",
    "与",
    "及",
    "等",
    "个",
    "件",
    "套",
    "台",
    "只",
    "各种",
    "系列",
    "多功能",
    "新",
    "高",
    "好",
    "大",
    "小",
    "式",
    "可",
    "支持",
    "我们",
    "公司",
    "有限公司",
    "出口",
    "外贸",
    "质量",
    "价格",
    "优惠",
    "万",
    "年",
    "以上",
];

/// A search term: the stem compared, and the word as written (for reasons people read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub stem: String,
    pub word: String,
}

struct Analysis {
    jieba: Jieba,
    stop: Vec<(TextLanguage, HashSet<String>)>,
    chinese_stop: HashSet<&'static str>,
    stemmers: Vec<(TextLanguage, Stemmer)>,
}

const ALL: [TextLanguage; 6] = [
    TextLanguage::English,
    TextLanguage::Spanish,
    TextLanguage::Portuguese,
    TextLanguage::French,
    TextLanguage::Russian,
    TextLanguage::Arabic,
];

fn analysis() -> &'static Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(|| {
        let stop = ALL
            .iter()
            .map(|&lang| {
                let mut words: HashSet<String> = stop_words::lookup(lang.code())
                    .unwrap_or_default()
                    .iter()
                    .map(|w| w.to_lowercase())
                    .collect();
                words.extend(lang.listing_words().iter().map(|w| w.to_lowercase()));
                (lang, words)
            })
            .collect();
        let mut chinese_stop: HashSet<&'static str> = CHINESE_NOISE.iter().copied().collect();
        chinese_stop.extend(stop_words::lookup("zh").unwrap_or_default().iter().copied());
        Analysis {
            jieba: Jieba::new(),
            stop,
            chinese_stop,
            stemmers: ALL
                .iter()
                .map(|&lang| (lang, Stemmer::create(lang.algorithm())))
                .collect(),
        }
    })
}

impl Analysis {
    fn is_stop(&self, lang: TextLanguage, word: &str) -> bool {
        self.stop
            .iter()
            .find(|(l, _)| *l == lang)
            .is_some_and(|(_, set)| set.contains(word))
    }

    fn stem(&self, lang: TextLanguage, word: &str) -> String {
        self.stemmers
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, s)| s.stem(word).into_owned())
            .unwrap_or_else(|| word.to_string())
    }
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_cyrillic(c: char) -> bool {
    matches!(c as u32, 0x0400..=0x04FF)
}

fn is_arabic(c: char) -> bool {
    matches!(c as u32, 0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF)
}

/// The language of the words of `text` that are not Chinese: by script for Cyrillic and
/// Arabic, else by the Latin language whose stop words and letters it uses most (English
/// when nothing tells).
pub fn detect_language(text: &str) -> TextLanguage {
    let (mut cyrillic, mut arabic, mut latin) = (0, 0, 0);
    for c in text.chars() {
        if is_cyrillic(c) {
            cyrillic += 1;
        } else if is_arabic(c) {
            arabic += 1;
        } else if c.is_alphabetic() && !is_han(c) {
            latin += 1;
        }
    }
    if cyrillic > latin && cyrillic >= arabic {
        return TextLanguage::Russian;
    }
    if arabic > latin {
        return TextLanguage::Arabic;
    }
    let a = analysis();
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut best = (TextLanguage::English, 0.0f64);
    for lang in LATIN {
        let mut score: f64 = words
            .iter()
            .filter(|w| w.chars().count() > 1 && a.is_stop(lang, w))
            .count() as f64;
        score += lower
            .chars()
            .filter(|c| match lang {
                TextLanguage::Spanish => "ñ¿¡".contains(*c),
                TextLanguage::Portuguese => "ãõ".contains(*c),
                TextLanguage::French => "èêëœùû".contains(*c),
                _ => false,
            })
            .count() as f64
            * 2.0;
        let endings: &[&str] = match lang {
            TextLanguage::English => &["ing", "tion", "ness", "ers", "ed"],
            TextLanguage::Spanish => &[
                "ción", "ciones", "idad", "mente", "ados", "adas", "ía", "ías", "ores",
            ],
            TextLanguage::Portuguese => &["ção", "ções", "dade", "mente", "ões", "inha", "eis"],
            TextLanguage::French => &[
                "ques", "eux", "aux", "ette", "ée", "ées", "eur", "eurs", "oire", "ment",
            ],
            _ => &[],
        };
        score += words
            .iter()
            .filter(|w| w.chars().count() > 4 && endings.iter().any(|e| w.ends_with(e)))
            .count() as f64;
        if lang == TextLanguage::English {
            score += 0.5; // the exhibitors' second language wins ties
        }
        if score > best.1 {
            best = (lang, score);
        }
    }
    best.0
}

/// The terms of `text` in order of appearance (repeats kept), its non-Chinese words read as
/// `language`.
pub fn terms_in(text: &str, language: TextLanguage) -> Vec<Term> {
    let a = analysis();
    let mut out = Vec::new();
    let mut run = String::new();
    let mut han = false;
    let flush = |run: &mut String, han: bool, out: &mut Vec<Term>| {
        if run.is_empty() {
            return;
        }
        if han {
            for token in a.jieba.cut(run, true) {
                let word = token.word;
                if !a.chinese_stop.contains(word) {
                    out.push(Term {
                        stem: word.to_string(),
                        word: word.to_string(),
                    });
                }
            }
        } else {
            let lower = run.to_lowercase();
            let is_stop = a.is_stop(language, &lower) || a.is_stop(TextLanguage::English, &lower);
            // A lone letter says nothing; a lone digit may (a size, a count).
            let lone_letter =
                lower.chars().count() == 1 && !lower.chars().all(|c| c.is_ascii_digit());
            if !is_stop && !lone_letter {
                let stem = if lower.chars().any(|c| c.is_ascii_digit()) {
                    lower.clone()
                } else {
                    a.stem(language, &lower)
                };
                out.push(Term {
                    stem,
                    word: run.clone(),
                });
            }
        }
        run.clear();
    };
    for c in text.chars() {
        let c_han = is_han(c);
        if c.is_alphanumeric() {
            if !run.is_empty() && c_han != han {
                flush(&mut run, han, &mut out);
            }
            han = c_han;
            run.push(c);
        } else {
            flush(&mut run, han, &mut out);
        }
    }
    flush(&mut run, han, &mut out);
    out
}

/// The terms of `text`, its language detected.
pub fn terms(text: &str) -> Vec<Term> {
    terms_in(text, detect_language(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(text: &str) -> Vec<String> {
        terms(text).into_iter().map(|t| t.stem).collect()
    }

    #[test]
    fn plurals_meet_their_singular_and_function_words_are_dropped() {
        assert_eq!(
            stems("Car batteries for trucks"),
            stems("car battery truck")
        );
        assert_eq!(stems("boxes"), stems("box"));
        assert!(stems("speaker with bluetooth").iter().all(|s| s != "with"));
    }

    #[test]
    fn other_languages_are_detected_and_stemmed() {
        assert_eq!(
            detect_language("Compresor de aire de tornillo"),
            TextLanguage::Spanish
        );
        assert_eq!(
            detect_language("Фрезерный станок с ЧПУ"),
            TextLanguage::Russian
        );
        assert_eq!(detect_language("بطاريات سيارات"), TextLanguage::Arabic);
        assert_eq!(
            detect_language("Chaises de bureau ergonomiques"),
            TextLanguage::French
        );
        assert_eq!(stems("baterías"), stems("batería"));
        assert_eq!(stems("компрессоры"), stems("компрессор"));
    }

    #[test]
    fn chinese_is_segmented_into_words_not_bigrams() {
        let words: Vec<String> = terms("厂家直销 锂电钻 TWS蓝牙耳机")
            .into_iter()
            .map(|t| t.word)
            .collect();
        assert!(
            !words.iter().any(|w| w == "厂家" || w == "直销"),
            "{words:?}"
        );
        assert!(words.iter().any(|w| w == "tws" || w == "TWS"), "{words:?}");
        assert!(words.iter().any(|w| w.contains("蓝牙")), "{words:?}");
        assert!(!words.iter().any(|w| w == "牙耳"), "{words:?}");
    }

    #[test]
    fn numbers_with_units_are_kept_whole() {
        assert_eq!(stems("550W 12V"), vec!["550w", "12v"]);
    }
}
