//! The language an account speaks: a BCP 47 tag, one of the fair's languages.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tinystr::TinyAsciiStr;
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{ObjectBuilder, RefOr, Schema, Type},
};

/// The longest tag kept: language, script and region (`zh-Hans-CN`, `sr-Latn-RS`) fit.
const MAX_TAG: usize = 16;

/// A BCP 47 language tag in its canonical form (`en`, `pt-BR`, `zh-Hans`). Small and `Copy`:
/// every text a person receives is chosen by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(TinyAsciiStr<MAX_TAG>);

/// Why a tag is not a language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LanguageError {
    #[error("is not a BCP 47 language tag, such as en, zh or pt-BR")]
    Malformed,
    #[error("is a longer language tag than fairlink keeps ({MAX_TAG} characters)")]
    TooLong,
}

const fn tag(s: &str) -> Language {
    match TinyAsciiStr::try_from_str(s) {
        Ok(tag) => Language(tag),
        Err(_) => panic!("a constant language tag"),
    }
}

impl Language {
    pub const EN: Language = tag("en");
    pub const ZH: Language = tag("zh");
    pub const ES: Language = tag("es");
    pub const FR: Language = tag("fr");
    pub const RU: Language = tag("ru");
    pub const AR: Language = tag("ar");
    pub const PT: Language = tag("pt");

    /// The languages a fair offers until its organizer says otherwise.
    pub const FAIR_DEFAULTS: [Language; 7] = [
        Language::EN,
        Language::ZH,
        Language::ES,
        Language::FR,
        Language::RU,
        Language::AR,
        Language::PT,
    ];

    /// Reads a tag and puts it in canonical form (`PT-br` → `pt-BR`).
    pub fn parse(text: &str) -> Result<Self, LanguageError> {
        let id = icu_locale_core::LanguageIdentifier::try_from_str(text.trim())
            .map_err(|_| LanguageError::Malformed)?;
        if id.language.as_str() == "und" {
            return Err(LanguageError::Malformed);
        }
        TinyAsciiStr::try_from_str(&id.to_string())
            .map(Language)
            .map_err(|_| LanguageError::TooLong)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The language part alone (`pt` of `pt-BR`).
    pub fn primary(&self) -> &str {
        self.as_str().split('-').next().unwrap_or_default()
    }

    /// The texts a person of this language reads.
    pub fn texts(&self) -> fairlink_texts::Texts {
        fairlink_texts::Texts::of(self.as_str())
    }
}

impl Default for Language {
    fn default() -> Self {
        Language::EN
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Language {
    type Err = LanguageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::parse(s)
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Language::parse(&text).map_err(|_| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&text),
                &"a BCP 47 language tag such as `en`, `zh` or `pt-BR`",
            )
        })
    }
}

impl PartialSchema for Language {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "A BCP 47 language tag, one of the fair's `languages` (`en`, `zh`, `pt-BR`).",
            ))
            .examples([serde_json::json!("es")])
            .max_length(Some(MAX_TAG))
            .into()
    }
}

impl ToSchema for Language {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_read_in_canonical_form() {
        assert_eq!(Language::parse("PT-br").unwrap().as_str(), "pt-BR");
        assert_eq!(
            Language::parse("zh-hans-cn").unwrap().as_str(),
            "zh-Hans-CN"
        );
        assert_eq!(Language::parse("ar").unwrap(), Language::AR);
        assert_eq!(Language::parse("pt-BR").unwrap().primary(), "pt");
        assert_eq!(Language::parse("fr!"), Err(LanguageError::Malformed));
        assert_eq!(Language::parse(""), Err(LanguageError::Malformed));
        assert_eq!(Language::parse("e"), Err(LanguageError::Malformed));
    }

    #[test]
    fn a_language_is_its_tag_in_json() {
        let json = serde_json::to_string(&Language::RU).unwrap();
        assert_eq!(json, "\"ru\"");
        let back: Language = serde_json::from_str("\"es-mx\"").unwrap();
        assert_eq!(back.as_str(), "es-MX");
        assert!(serde_json::from_str::<Language>("\"x y\"").is_err());
    }
}
