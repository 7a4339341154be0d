//! A message's text in another language.

use super::*;

impl MessagingService<'_> {
    /// A message's text in another language (cached per message and language); the original
    /// stays in the message.
    pub async fn translate(
        &self,
        caller: &Account,
        cid: &str,
        mid: &str,
        lang: &str,
    ) -> Result<Translation, DomainError> {
        self.participation(caller, cid).await?;
        let lang = lang.trim().to_lowercase();
        if !(2..=7).contains(&lang.len())
            || !lang.chars().all(|c| c.is_ascii_alphabetic() || c == '-')
        {
            return Err(DomainError::field(
                "lang",
                "must be a language code such as en or zh",
            ));
        }
        let message = self
            .repo
            .message(cid, mid)
            .await?
            .ok_or(DomainError::NotFound("message"))?;
        let Some(text) = message.text.filter(|t| !t.trim().is_empty()) else {
            return Err(DomainError::Unprocessable {
                code: "nothing_to_translate",
                detail: "the message has no text".into(),
            });
        };
        if let Some(cached) = self.repo.translation(mid, &lang).await? {
            return Ok(cached);
        }
        let translation = self
            .ports
            .translator
            .translate(&text, &lang)
            .await
            .map_err(|err| match err {
                TranslateError::NotConfigured | TranslateError::Unavailable(_) => {
                    DomainError::Unavailable {
                        code: "translation_unavailable",
                        detail: err.to_string(),
                    }
                }
                TranslateError::UnsupportedLanguage(_) => DomainError::Unprocessable {
                    code: "unsupported_language",
                    detail: err.to_string(),
                },
            })?;
        self.repo
            .put_translation(mid, &translation, self.now())
            .await?;
        Ok(translation)
    }
}
