use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::model::Language;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    /// The same text as HTML that says its language and direction (`dir="rtl"` for
    /// Arabic), so that mail clients lay it out right.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// An SMS to a phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sms {
    pub to: String,
    pub text: String,
}

impl Email {
    /// An email whose recipient and subject are one line each, whatever user text (a name,
    /// a company) went into them: a CR/LF there could otherwise add headers.
    pub fn new(to: &str, subject: &str, text: String, language: Language) -> Self {
        let subject = one_line(subject);
        Self {
            to: one_line(to),
            html: Some(html_of(&subject, &text, language)),
            subject,
            text,
        }
    }
}

/// A plain text as an HTML document in `language`: paragraphs at blank lines, line breaks
/// kept, everything escaped.
fn html_of(subject: &str, text: &str, language: Language) -> String {
    let dir = language.texts().direction().html();
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<String> = p.lines().map(escape_html).collect();
            format!("<p>{}</p>", lines.join("<br>"))
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"{language}\" dir=\"{dir}\"><head><meta charset=\"utf-8\"><title>{}</title></head><body dir=\"{dir}\">{}</body></html>",
        escape_html(subject),
        paragraphs.join("")
    )
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

impl Sms {
    /// An SMS of one line: control characters of user text (names) are folded into spaces.
    pub fn new(to: &str, text: &str) -> Self {
        Self {
            to: one_line(to),
            text: one_line(text),
        }
    }
}

/// The text with every run of control characters (CR, LF, tab, NUL, …) and Unicode line or
/// paragraph separators folded into one space, trimmed.
pub fn one_line(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            pending_space = true;
        } else {
            if pending_space && !line.is_empty() {
                line.push(' ');
            }
            pending_space = false;
            line.push(c);
        }
    }
    line.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_cannot_add_headers_or_lines() {
        let email = Email::new(
            "ann@lee.example",
            "Booking confirmed: Eve\r\nBcc: victim@evil.test",
            "body\nlines stay".into(),
            Language::EN,
        );
        assert_eq!(
            email.subject,
            "Booking confirmed: Eve Bcc: victim@evil.test"
        );
        assert_eq!(email.text, "body\nlines stay");
        let sms = Sms::new("+8613800138000", "meeting Eve\u{2028}\u{0}x at 09:00\t");
        assert_eq!(sms.text, "meeting Eve x at 09:00");
    }

    #[test]
    fn an_email_says_its_language_and_direction_in_html() {
        let arabic = Email::new(
            "a@b.example",
            "تأكيد",
            "سطر <1>\nسطر 2\n\nفقرة".into(),
            Language::AR,
        );
        let html = arabic.html.unwrap();
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(
            html.contains("<p>سطر &lt;1&gt;<br>سطر 2</p><p>فقرة</p>"),
            "{html}"
        );
        let english = Email::new("a@b.example", "Hi", "x".into(), Language::EN);
        assert!(english.html.unwrap().contains("dir=\"ltr\""));
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// The provider asked us to slow down; try again later.
    #[error("throttled: {0}")]
    Throttled(String),
    /// The provider refused this message for good (an invalid number, an unverified sender).
    #[error("rejected: {0}")]
    Rejected(String),
    /// The provider answered that it failed: nothing went out.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// No answer in time, or a server error: the message may have gone out.
    #[error("outcome unknown: {0}")]
    Unknown(String),
}

impl DeliveryError {
    pub fn is_retryable(&self) -> bool {
        !matches!(self, DeliveryError::Rejected(_))
    }

    /// Whether the message may have gone out despite the error (sending it again may send
    /// it twice).
    pub fn may_have_gone_out(&self) -> bool {
        matches!(self, DeliveryError::Unknown(_))
    }
}

#[async_trait]
pub trait EmailSender: Send + Sync {
    async fn send_email(&self, email: &Email) -> Result<(), DeliveryError>;
}

#[async_trait]
pub trait SmsSender: Send + Sync {
    async fn send_sms(&self, sms: &Sms) -> Result<(), DeliveryError>;
}
