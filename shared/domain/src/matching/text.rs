//! Search terms of a text, in any of the fair's languages: Chinese segmented into words
//! (jieba) rather than character bigrams, other scripts split into words, lower-cased, stop
//! words dropped (NLTK's lists, plus the words of trade listings that say nothing about the
//! product: 厂家直销, wholesale, OEM…) and stemmed with the Snowball stemmer of the text's
//! language, so that "batteries" meets "battery" and "baterías" meets "batería".

use std::{collections::HashSet, sync::OnceLock};

use jieba_rs::Jieba;
use rust_stemmers::{Algorithm, Stemmer};

/// The languages text analysis tells apart (by script, then by stop words, letters and
/// endings); each has its stop words (NLTK's lists, or stopwords-iso's where NLTK has none)
/// and, where Snowball has one, its stemmer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextLanguage {
    English,
    Spanish,
    Portuguese,
    French,
    German,
    Italian,
    Dutch,
    Turkish,
    Indonesian,
    Polish,
    Vietnamese,
    Russian,
    Arabic,
    Japanese,
    Korean,
}

/// The Latin-script languages, told apart by their words.
const LATIN: [TextLanguage; 11] = [
    TextLanguage::English,
    TextLanguage::Spanish,
    TextLanguage::Portuguese,
    TextLanguage::French,
    TextLanguage::German,
    TextLanguage::Italian,
    TextLanguage::Dutch,
    TextLanguage::Turkish,
    TextLanguage::Indonesian,
    TextLanguage::Polish,
    TextLanguage::Vietnamese,
];

impl TextLanguage {
    fn code(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Spanish => "es",
            Self::Portuguese => "pt",
            Self::French => "fr",
            Self::German => "de",
            Self::Italian => "it",
            Self::Dutch => "nl",
            Self::Turkish => "tr",
            Self::Indonesian => "id",
            Self::Polish => "pl",
            Self::Vietnamese => "vi",
            Self::Russian => "ru",
            Self::Arabic => "ar",
            Self::Japanese => "ja",
            Self::Korean => "ko",
        }
    }

    /// Snowball's stemmer for the language, where it has one.
    fn algorithm(self) -> Option<Algorithm> {
        Some(match self {
            Self::English => Algorithm::English,
            Self::Spanish => Algorithm::Spanish,
            Self::Portuguese => Algorithm::Portuguese,
            Self::French => Algorithm::French,
            Self::German => Algorithm::German,
            Self::Italian => Algorithm::Italian,
            Self::Dutch => Algorithm::Dutch,
            Self::Turkish => Algorithm::Turkish,
            Self::Russian => Algorithm::Russian,
            Self::Arabic => Algorithm::Arabic,
            Self::Indonesian | Self::Polish | Self::Vietnamese | Self::Japanese | Self::Korean => {
                return None;
            }
        })
    }

    /// Letters that only this language (of [`LATIN`]) writes, and endings typical of it.
    fn marks(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Self::English => ("", &["ing", "tion", "ness", "ers", "ed"]),
            Self::Spanish => (
                "ñ¿¡",
                &[
                    "ción", "ciones", "idad", "mente", "ados", "adas", "ía", "ías", "ores",
                ],
            ),
            Self::Portuguese => (
                "ãõ",
                &["ção", "ções", "dade", "mente", "ões", "inha", "eis"],
            ),
            Self::French => (
                "èêëœùû",
                &[
                    "ques", "eux", "aux", "ette", "ée", "ées", "eur", "eurs", "oire", "ment",
                ],
            ),
            Self::German => (
                "äßü",
                &["ung", "ungen", "keit", "heit", "lich", "chen", "isch"],
            ),
            Self::Italian => (
                "ìò",
                &["zione", "zioni", "mente", "etto", "etta", "ini", "elli"],
            ),
            Self::Dutch => ("ĳ", &["heid", "lijk", "isch", "tje", "tjes", "ijn"]),
            Self::Turkish => (
                "ğış",
                &["lar", "ler", "lık", "lik", "sız", "siz", "ları", "leri"],
            ),
            Self::Indonesian => ("", &["kan", "nya", "an"]),
            Self::Polish => ("ąćęłńśźż", &["ów", "ami", "ych", "owy", "owe", "ość"]),
            Self::Vietnamese => ("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ", &[]),
            _ => ("", &[]),
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
            Self::German => &[
                "suchen",
                "gesucht",
                "kaufen",
                "lieferant",
                "hersteller",
                "qualität",
                "preis",
                "großhandel",
                "stück",
                "stk",
            ],
            Self::Italian => &[
                "cerchiamo",
                "cerco",
                "acquisto",
                "fornitore",
                "produttore",
                "qualità",
                "prezzo",
                "ingrosso",
                "pezzi",
                "pz",
            ],
            Self::Turkish => &[
                "arıyoruz",
                "alım",
                "tedarikçi",
                "üretici",
                "kalite",
                "fiyat",
                "toptan",
                "adet",
            ],
            Self::Indonesian => &[
                "cari",
                "mencari",
                "butuh",
                "membutuhkan",
                "pemasok",
                "kualitas",
                "harga",
                "grosir",
                "buah",
                "pcs",
            ],
            Self::Polish => &[
                "szukamy",
                "poszukujemy",
                "dostawca",
                "producent",
                "jakość",
                "cena",
                "hurt",
                "szt",
                "sztuk",
            ],
            Self::Dutch | Self::Vietnamese | Self::Japanese | Self::Korean => &[],
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
    function_words: HashSet<String>,
    stemmers: Vec<(TextLanguage, Stemmer)>,
}

const ALL: [TextLanguage; 15] = [
    TextLanguage::English,
    TextLanguage::Spanish,
    TextLanguage::Portuguese,
    TextLanguage::French,
    TextLanguage::German,
    TextLanguage::Italian,
    TextLanguage::Dutch,
    TextLanguage::Turkish,
    TextLanguage::Indonesian,
    TextLanguage::Polish,
    TextLanguage::Vietnamese,
    TextLanguage::Russian,
    TextLanguage::Arabic,
    TextLanguage::Japanese,
    TextLanguage::Korean,
];

/// A language's stop words: NLTK's list where NLTK has one (short, function words only),
/// stopwords-iso's otherwise (Polish, Vietnamese, Japanese, Korean).
/// (The crate takes NLTK's list of a language when both features have one.)
fn stop_list(lang: TextLanguage) -> &'static [&'static str] {
    stop_words::lookup(lang.code()).unwrap_or_default()
}

fn analysis() -> &'static Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS.get_or_init(|| {
        let stop: Vec<(TextLanguage, HashSet<String>)> = ALL
            .iter()
            .map(|&lang| {
                let mut words: HashSet<String> =
                    stop_list(lang).iter().map(|w| w.to_lowercase()).collect();
                words.extend(lang.listing_words().iter().map(|w| w.to_lowercase()));
                (lang, words)
            })
            .collect();
        let mut chinese_stop: HashSet<&'static str> = CHINESE_NOISE.iter().copied().collect();
        chinese_stop.extend(stop_words::lookup("zh").unwrap_or_default().iter().copied());
        // Function words of every language, for reasons: a word a buyer reads as "matched"
        // is never one of them, whatever language its text was taken for.
        let function_words = ALL
            .iter()
            .flat_map(|&lang| stop_list(lang).iter().map(|w| w.to_lowercase()))
            .collect();
        Analysis {
            jieba: Jieba::new(),
            stop,
            chinese_stop,
            function_words,
            stemmers: ALL
                .iter()
                .filter_map(|&lang| Some((lang, Stemmer::create(lang.algorithm()?))))
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

fn is_kana(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F)
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F)
}

/// The language of the words of `text` that are not Chinese: by script for Cyrillic,
/// Arabic, kana and Hangul, else by the Latin language whose stop words, letters and
/// endings it uses most (English when nothing tells).
pub fn detect_language(text: &str) -> TextLanguage {
    let (mut cyrillic, mut arabic, mut kana, mut hangul, mut latin) = (0, 0, 0, 0, 0);
    for c in text.chars() {
        if is_cyrillic(c) {
            cyrillic += 1;
        } else if is_arabic(c) {
            arabic += 1;
        } else if is_kana(c) {
            kana += 1;
        } else if is_hangul(c) {
            hangul += 1;
        } else if c.is_alphabetic() && !is_han(c) {
            latin += 1;
        }
    }
    let script = [
        (TextLanguage::Russian, cyrillic),
        (TextLanguage::Arabic, arabic),
        (TextLanguage::Japanese, kana),
        (TextLanguage::Korean, hangul),
    ]
    .into_iter()
    .max_by_key(|(_, n)| *n)
    .filter(|(_, n)| *n > 0 && *n >= latin);
    if let Some((lang, _)) = script {
        return lang;
    }
    let a = analysis();
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let mut best = (TextLanguage::English, 0.0f64);
    for lang in LATIN {
        let (letters, endings) = lang.marks();
        let mut score: f64 = words
            .iter()
            .filter(|w| w.chars().count() > 1 && a.is_stop(lang, w))
            .count() as f64;
        score += lower.chars().filter(|c| letters.contains(*c)).count() as f64 * 2.0;
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

/// Whether a stem says what the product is: not a number, a measure ("100", "7", "550w",
/// "100mm", "2.0ah") or a lone letter, which texts share by chance ("100 pieces" and
/// "100 mm"), but words and model codes ("cnmg120408", "lifepo4").
pub fn is_product_word(stem: &str) -> bool {
    let letters = stem.chars().filter(|c| c.is_alphabetic()).count();
    if !stem.chars().any(|c| c.is_ascii_digit()) {
        return letters >= 2 || stem.chars().any(is_han);
    }
    // A code: at least three letters among its digits, not a number followed by a unit.
    let unit_after_number = stem
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        .chars()
        .all(char::is_alphabetic);
    letters >= 3 && !unit_after_number
}

/// Whether `word` is a function word in any language text analysis knows (what reasons never
/// list as a matched word).
pub fn is_function_word(word: &str) -> bool {
    let a = analysis();
    let lower = word.to_lowercase();
    a.function_words.contains(&lower) || a.chinese_stop.contains(lower.as_str())
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
