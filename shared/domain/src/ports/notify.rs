use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
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
    pub fn new(to: &str, subject: &str, text: String) -> Self {
        Self {
            to: one_line(to),
            subject: one_line(subject),
            text,
        }
    }
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
        );
        assert_eq!(
            email.subject,
            "Booking confirmed: Eve Bcc: victim@evil.test"
        );
        assert_eq!(email.text, "body\nlines stay");
        let sms = Sms::new("+8613800138000", "meeting Eve\u{2028}\u{0}x at 09:00\t");
        assert_eq!(sms.text, "meeting Eve x at 09:00");
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
