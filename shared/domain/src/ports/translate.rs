use async_trait::async_trait;

use crate::model::Translation;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    #[error("no translation provider is configured")]
    NotConfigured,
    #[error("the provider cannot translate into {0}")]
    UnsupportedLanguage(String),
    #[error("translation provider unavailable: {0}")]
    Unavailable(String),
}

/// Machine translation of message texts.
#[async_trait]
pub trait Translator: Send + Sync {
    /// Translates `text` into `target` (an ISO 639-1 code such as `en`), detecting the
    /// source language.
    async fn translate(&self, text: &str, target: &str) -> Result<Translation, TranslateError>;
}

/// The translator of a system with no provider: every call says so.
pub struct NoTranslator;

#[async_trait]
impl Translator for NoTranslator {
    async fn translate(&self, _text: &str, _target: &str) -> Result<Translation, TranslateError> {
        Err(TranslateError::NotConfigured)
    }
}
