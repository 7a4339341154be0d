use async_trait::async_trait;
use aws_sdk_translate::{Client, error::ProvideErrorMetadata};
use fairlink_domain::{
    model::Translation,
    ports::{TranslateError, Translator},
};

/// The translation port on Amazon Translate, detecting the source language.
pub struct AmazonTranslate {
    client: Client,
}

impl AmazonTranslate {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl Translator for AmazonTranslate {
    async fn translate(&self, text: &str, target: &str) -> Result<Translation, TranslateError> {
        let output = self
            .client
            .translate_text()
            .text(text)
            .source_language_code("auto")
            .target_language_code(target)
            .send()
            .await
            .map_err(|err| match err.code() {
                Some("UnsupportedLanguagePairException") => {
                    TranslateError::UnsupportedLanguage(target.to_string())
                }
                code => TranslateError::Unavailable(format!(
                    "{}: {}",
                    code.unwrap_or("error"),
                    err.message().unwrap_or_default()
                )),
            })?;
        Ok(Translation {
            text: output.translated_text().to_string(),
            source_lang: output.source_language_code().to_string(),
            target_lang: output.target_language_code().to_string(),
        })
    }
}
