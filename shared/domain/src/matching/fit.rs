//! What "fits" means between an intent and an exhibit once spellings are set aside: units
//! of the same kind (pcs, pieces, 个, 件, штук…), certifications however written ("CE认证"
//! is CE), markets with their regions (EU covers Germany) and prices across currencies at
//! the rates the organizer sets.

use std::collections::BTreeMap;

/// What a quantity counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    Pieces,
    Sets,
    Pairs,
    Meters,
    SquareMeters,
    Kilograms,
    Tons,
    Rolls,
    Boxes,
    Containers,
}

impl UnitKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Pieces => "pcs",
            Self::Sets => "sets",
            Self::Pairs => "pairs",
            Self::Meters => "m",
            Self::SquareMeters => "m2",
            Self::Kilograms => "kg",
            Self::Tons => "t",
            Self::Rolls => "rolls",
            Self::Boxes => "boxes",
            Self::Containers => "containers",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        UNITS
            .iter()
            .map(|(kind, _)| *kind)
            .find(|k| k.code() == code)
    }

    /// The unit as a person reads it after `count`, in the reader's language.
    pub fn label(self, texts: &fairlink_texts::Texts, count: u64) -> String {
        let id = match self {
            Self::Pieces => "unit-pieces",
            Self::Sets => "unit-sets",
            Self::Pairs => "unit-pairs",
            Self::Meters => "unit-meters",
            Self::SquareMeters => "unit-square-meters",
            Self::Kilograms => "unit-kilograms",
            Self::Tons => "unit-tons",
            Self::Rolls => "unit-rolls",
            Self::Boxes => "unit-cartons",
            Self::Containers => "unit-containers",
        };
        texts.say(id, &[("count", count.into())])
    }
}

/// Spellings of each unit kind, as exhibitors and buyers write them (compared lower-cased,
/// without spaces and dots).
const UNITS: &[(UnitKind, &[&str])] = &[
    (
        UnitKind::Pieces,
        &[
            "pc",
            "pcs",
            "piece",
            "pieces",
            "个",
            "件",
            "只",
            "支",
            "把",
            "台",
            "部",
            "块",
            "张",
            "盏",
            "unit",
            "units",
            "ea",
            "each",
            "nos",
            "unidad",
            "unidades",
            "pieza",
            "piezas",
            "peça",
            "peças",
            "unidade",
            "pièce",
            "pièces",
            "unité",
            "unités",
            "шт",
            "штук",
            "штука",
            "штуки",
            "единиц",
            "قطعة",
            "قطع",
            "وحدة",
            "وحدات",
            "stück",
            "stk",
            "einheiten",
            "pezzi",
            "pezzo",
            "pz",
            "unità",
            "本",
            "枚",
            "着",
            "개",
            "대",
            "벌",
            "장",
            "adet",
            "cái",
            "chiếc",
            "tấm",
            "szt",
            "sztuk",
            "sztuki",
            "buah",
            "lembar",
        ],
    ),
    (
        UnitKind::Sets,
        &[
            "set",
            "sets",
            "套",
            "组",
            "kit",
            "kits",
            "juego",
            "juegos",
            "conjunto",
            "conjuntos",
            "jogo",
            "jogos",
            "ensemble",
            "ensembles",
            "lot",
            "lots",
            "комплект",
            "комплекта",
            "комплектов",
            "набор",
            "наборов",
            "طقم",
            "أطقم",
            "مجموعة",
            "satz",
            "sätze",
            "セット",
            "組",
            "세트",
            "takım",
            "bộ",
            "kpl",
            "kompletów",
            "komplety",
            "kompletu",
            "zestawów",
            "zestawy",
        ],
    ),
    (
        UnitKind::Pairs,
        &[
            "pair",
            "pairs",
            "双",
            "对",
            "par",
            "pares",
            "paire",
            "paires",
            "пара",
            "пары",
            "пар",
            "زوج",
            "أزواج",
            "paar",
            "paia",
            "paio",
            "足",
            "켤레",
            "çift",
            "đôi",
            "pary",
            "pasang",
        ],
    ),
    (
        UnitKind::Meters,
        &[
            "m",
            "meter",
            "meters",
            "metre",
            "metres",
            "米",
            "metro",
            "metros",
            "mètre",
            "mètres",
            "метр",
            "метров",
            "метра",
            "м",
            "متر",
            "metri",
            "メートル",
            "미터",
            "mét",
            "metrów",
            "metry",
            "mb",
        ],
    ),
    (
        UnitKind::SquareMeters,
        &["m2", "m²", "sqm", "平方米", "平米", "㎡", "м2", "متر مربع"],
    ),
    (
        UnitKind::Kilograms,
        &[
            "kg",
            "kgs",
            "kilogram",
            "kilograms",
            "千克",
            "公斤",
            "kilo",
            "kilos",
            "quilo",
            "quilos",
            "кг",
            "килограмм",
            "كغ",
            "كيلوغرام",
            "كيلو",
            "kilogramm",
            "chilogrammi",
            "キロ",
            "킬로그램",
            "kilogramów",
        ],
    ),
    (
        UnitKind::Tons,
        &[
            "t",
            "ton",
            "tons",
            "tonne",
            "tonnes",
            "mt",
            "吨",
            "tonelada",
            "toneladas",
            "тонна",
            "тонн",
            "тонны",
            "طن",
            "أطنان",
            "tonnen",
            "tonnellate",
            "tonnellata",
            "トン",
            "톤",
            "tấn",
            "tony",
        ],
    ),
    (
        UnitKind::Rolls,
        &[
            "roll",
            "rolls",
            "卷",
            "rollo",
            "rollos",
            "rolo",
            "rolos",
            "rouleau",
            "rouleaux",
            "рулон",
            "рулонов",
            "لفة",
            "rolle",
            "rollen",
            "rotoli",
            "rotolo",
            "ロール",
            "巻",
            "롤",
            "rulo",
            "cuộn",
            "rolek",
            "rolki",
            "rol",
            "gulungan",
        ],
    ),
    (
        UnitKind::Boxes,
        &[
            "box",
            "boxes",
            "carton",
            "cartons",
            "ctn",
            "ctns",
            "箱",
            "盒",
            "caja",
            "cajas",
            "caixa",
            "caixas",
            "boîte",
            "boîtes",
            "коробка",
            "коробок",
            "коробки",
            "صندوق",
            "كرتونة",
            "karton",
            "kartons",
            "scatole",
            "scatola",
            "cartoni",
            "cartone",
            "ケース",
            "박스",
            "상자",
            "koli",
            "kutu",
            "thùng",
            "hộp",
            "kartonów",
            "kartony",
            "kardus",
            "dus",
            "kotak",
        ],
    ),
    (
        UnitKind::Containers,
        &[
            "container",
            "containers",
            "柜",
            "货柜",
            "contenedor",
            "contenedores",
            "contêiner",
            "conteneur",
            "контейнер",
            "حاوية",
        ],
    ),
];

/// The kind of a unit as written, if it is a known spelling.
pub fn unit_kind(unit: &str) -> Option<UnitKind> {
    let key: String = unit
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '.')
        .collect();
    UNITS
        .iter()
        .find(|(_, spellings)| spellings.contains(&key.as_str()))
        .map(|(kind, _)| *kind)
}

/// Certification names that mean the same mark.
const CERTIFICATION_ALIASES: &[(&str, &str)] = &[
    ("CEMARK", "CE"),
    ("CEMARKING", "CE"),
    ("MARQUAGECE", "CE"),
    ("CONFORMITEEUROPEENNE", "CE"),
    ("ULLISTED", "UL"),
    ("ETLLISTED", "ETL"),
    ("CCCCERTIFICATE", "CCC"),
    ("OEKOTEXSTANDARD100", "OEKOTEX"),
    ("OEKOTEX100", "OEKOTEX"),
    ("ISO9001:2015", "ISO9001"),
    ("ISO90012015", "ISO9001"),
    ("UN383", "UN38.3"),
    ("UN38.3", "UN38.3"),
    ("ASTMF963", "ASTMF963"),
    ("EN71", "EN71"),
    ("ROHS2", "ROHS"),
    ("EAC", "EAC"),
];

/// Words around a certification's name that are not part of it ("CE认证", "certificación
/// CE", "сертификат EAC").
const CERTIFICATION_NOISE: &[&str] = &[
    "KENNZEICHNUNG",
    "PRÜFZEICHEN",
    "ZEICHEN",
    "ZERTIFIZIERUNG",
    "ZERTIFIZIERT",
    "ZERTIFIKAT",
    "MARCATURA",
    "CERTIFICAZIONE",
    "CERTIFICATO",
    "マーク",
    "認証",
    "認定",
    "인증서",
    "인증",
    "마크",
    "BELGESI",
    "BELGELI",
    "SERTIFIKASI",
    "BERSERTIFIKAT",
    "SERTIFIKAT",
    "SERTIFIKA",
    "CHỨNG NHẬN",
    "CHỨNG CHỈ",
    "CERTYFIKACJA",
    "CERTYFIKATEM",
    "CERTYFIKAT",
    "OZNAKOWANIE",
    "ZNAK",
    "认证",
    "证书",
    "认可",
    "CERTIFICATION",
    "CERTIFICATE",
    "CERTIFIED",
    "CERTIFICACIÓN",
    "CERTIFICACION",
    "CERTIFICADO",
    "CERTIFICAÇÃO",
    "CERTIFICAT",
    "CERTIFIÉ",
    "CERTIFIE",
    "MARQUAGE",
    "MARCADO",
    "MARCAÇÃO",
    "СЕРТИФИКАТ",
    "СЕРТИФИКАЦИЯ",
    "СЕРТИФИКАТА",
    "شهادة",
    "معتمد",
    "APPROVED",
    "STANDARD",
    "NORMA",
    "NORME",
];

/// A certification's name reduced to compare: upper-cased, without spaces, hyphens,
/// underscores and words such as 认证, mapped through known aliases.
pub fn certification_key(name: &str) -> String {
    let mut upper = name.trim().to_uppercase();
    for noise in CERTIFICATION_NOISE {
        upper = upper.replace(noise, " ");
    }
    let key: String = upper
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '/' | '(' | ')' | '（' | '）'))
        .collect();
    CERTIFICATION_ALIASES
        .iter()
        .find(|(alias, _)| *alias == key)
        .map(|(_, canonical)| canonical.to_string())
        .unwrap_or_else(|| key.replace("ISO9001:2015", "ISO9001"))
}

/// A certification key as people write the mark.
pub fn certification_label(key: &str) -> String {
    match key {
        "ROHS" => "RoHS".into(),
        "OEKOTEX" => "OEKO-TEX".into(),
        "ISO9001" => "ISO 9001".into(),
        "ISO14001" => "ISO 14001".into(),
        other => other.into(),
    }
}

/// Regions an exhibit may list among its markets, with their members.
pub const REGIONS: &[(&str, &[&str])] = &[
    (
        "EU",
        &[
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
            "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
        ],
    ),
    ("GCC", &["SA", "AE", "QA", "KW", "BH", "OM"]),
    (
        "MENA",
        &[
            "DZ", "BH", "EG", "IR", "IQ", "IL", "JO", "KW", "LB", "LY", "MA", "OM", "PS", "QA",
            "SA", "SY", "TN", "AE", "YE",
        ],
    ),
    (
        "LATAM",
        &[
            "AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "SV", "GT", "HN", "MX", "NI",
            "PA", "PY", "PE", "UY", "VE",
        ],
    ),
    (
        "ASEAN",
        &["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"],
    ),
    ("EAEU", &["RU", "BY", "KZ", "KG", "AM"]),
    ("NA", &["US", "CA", "MX"]),
];

/// Whether a market code names a region of [`REGIONS`].
pub fn is_region(code: &str) -> bool {
    REGIONS.iter().any(|(region, _)| *region == code)
}

/// How a destination country is served by an exhibit's markets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketMatch {
    Country,
    Region(String),
}

pub fn market_match<'a>(
    markets: impl IntoIterator<Item = &'a str>,
    country: &str,
) -> Option<MarketMatch> {
    let mut region = None;
    for market in markets {
        if market == country {
            return Some(MarketMatch::Country);
        }
        if region.is_none()
            && REGIONS
                .iter()
                .any(|(name, members)| *name == market && members.contains(&country))
        {
            region = Some(MarketMatch::Region(market.to_string()));
        }
    }
    region
}

/// Exchange rates to US dollars: `rates["EUR"] = 1.08` means one euro is 1.08 USD. USD is 1
/// without saying.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExchangeRates(pub BTreeMap<String, f64>);

impl ExchangeRates {
    pub fn to_usd(&self, amount: f64, currency: &str) -> Option<f64> {
        if currency == "USD" {
            return Some(amount);
        }
        self.0
            .get(currency)
            .filter(|rate| rate.is_finite() && **rate > 0.0)
            .map(|rate| amount * rate)
    }
}

/// How a judged criterion came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    Fits,
    /// Close: a MOQ within three times the quantity, a price within half again the target.
    Near,
    Far,
}

impl Fit {
    pub fn value(self) -> f64 {
        match self {
            Fit::Fits => 1.0,
            Fit::Near => 0.5,
            Fit::Far => 0.0,
        }
    }
}

/// MOQ against the quantity wanted, in one unit kind.
pub fn moq_fit(moq: u64, quantity: u64) -> Fit {
    if moq <= quantity {
        Fit::Fits
    } else if moq <= quantity.saturating_mul(3) {
        Fit::Near
    } else {
        Fit::Far
    }
}

/// An exhibit's price range against a target range, both in USD.
pub fn price_fit(offer: (f64, f64), target: (f64, f64)) -> Fit {
    let (min, max) = offer;
    let (want_min, want_max) = target;
    if min <= want_max && want_min <= max {
        Fit::Fits
    } else if min <= want_max * 1.5 && max >= want_min * 0.5 {
        Fit::Near
    } else {
        Fit::Far
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_spellings_share_their_kind() {
        for pieces in [
            "pcs", "PCS", "Pieces", "个", "件", "只", "units", "台", "штук", "unidades", "pièces",
            "قطعة",
        ] {
            assert_eq!(unit_kind(pieces), Some(UnitKind::Pieces), "{pieces}");
        }
        for sets in ["sets", "套", "juegos", "комплектов"] {
            assert_eq!(unit_kind(sets), Some(UnitKind::Sets), "{sets}");
        }
        assert_eq!(unit_kind("widgets"), None);
    }

    #[test]
    fn certifications_compare_however_written() {
        assert_eq!(certification_key("CE认证"), "CE");
        assert_eq!(certification_key("certificación CE"), "CE");
        assert_eq!(certification_key("marquage CE"), "CE");
        assert_eq!(certification_key("ROHS认证"), certification_key("RoHS"));
        assert_eq!(certification_key("ISO 9001"), certification_key("ISO9001"));
        assert_eq!(certification_key("сертификат EAC"), "EAC");
        assert_eq!(certification_key("OEKO-TEX"), certification_key("Oeko Tex"));
        assert_ne!(certification_key("UL"), certification_key("CE"));
    }

    #[test]
    fn regions_cover_their_members() {
        assert_eq!(
            market_match(["EU", "US"], "DE"),
            Some(MarketMatch::Region("EU".into()))
        );
        assert_eq!(market_match(["EU", "DE"], "DE"), Some(MarketMatch::Country));
        assert_eq!(
            market_match(["GCC"], "SA"),
            Some(MarketMatch::Region("GCC".into()))
        );
        assert_eq!(market_match(["EU"], "US"), None);
    }

    #[test]
    fn prices_compare_across_currencies() {
        let rates = ExchangeRates([("CNY".to_string(), 0.14), ("EUR".to_string(), 1.08)].into());
        assert_eq!(rates.to_usd(100.0, "CNY"), Some(14.000000000000002));
        assert_eq!(rates.to_usd(5.0, "USD"), Some(5.0));
        assert_eq!(rates.to_usd(5.0, "JPY"), None);
        assert_eq!(price_fit((5.0, 9.0), (8.0, 12.0)), Fit::Fits);
        assert_eq!(price_fit((14.0, 16.0), (8.0, 12.0)), Fit::Near);
        assert_eq!(price_fit((40.0, 60.0), (8.0, 12.0)), Fit::Far);
        assert_eq!(moq_fit(500, 2_000), Fit::Fits);
        assert_eq!(moq_fit(5_000, 2_000), Fit::Near);
        assert_eq!(moq_fit(10_000, 2_000), Fit::Far);
    }
}
