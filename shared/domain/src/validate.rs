//! Field checks shared by every feature. They collect every problem of a request at once,
//! so the front-end can show them all.

use chrono_tz::Tz;

use crate::error::{DomainError, FieldError};

/// The rules a request body holds on its own, without the store: checked where the body is
/// read when some of its fields did not even have their type, so that a client learns of
/// every bad field at once; the use case checks them again with its own (`validate` is the
/// one place each such rule is written).
pub trait Validate {
    fn validate(&self, _checks: &mut Checks) {}
}

#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    pub fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.fail(field, message);
        }
    }

    /// A trimmed, non-empty line of at most `max` characters (no control characters: such
    /// texts reach email subjects, SMS and headers).
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if self.bounded(field, value, max) && value.chars().any(is_line_break_or_control) {
            self.fail(field, "must be one line, without control characters");
        }
    }

    /// A trimmed, non-empty text of at most `max` characters that may hold line breaks and
    /// tabs (a message), but no other control characters.
    pub fn paragraphs(&mut self, field: &str, value: &str, max: usize) {
        let other_control = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
        if self.bounded(field, value, max) && value.chars().any(other_control) {
            self.fail(field, "must not contain control characters");
        }
    }

    /// Checks that the trimmed text is not empty and at most `max` characters long; whether
    /// it is.
    fn bounded(&mut self, field: &str, value: &str, max: usize) -> bool {
        let len = value.trim().chars().count();
        if len == 0 {
            self.fail(field, "must not be empty");
        } else if len > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        (1..=max).contains(&len)
    }

    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if value.is_some_and(|v| v.chars().count() > max) {
            self.fail(field, format!("must be at most {max} characters"));
        }
    }

    pub fn email(&mut self, field: &str, value: &str) {
        if !is_email(value) {
            self.fail(field, "must be an email address");
        }
    }

    pub fn phone(&mut self, field: &str, value: Option<&str>) {
        if value.is_some_and(|v| !is_e164(v)) {
            self.fail(
                field,
                "must be a phone number in E.164 form, such as +8613800138000",
            );
        }
    }

    pub fn time_zone(&mut self, field: &str, value: &str) {
        if parse_time_zone(value).is_none() {
            self.fail(field, "must be an IANA time zone, such as Asia/Shanghai");
        }
    }

    /// A time the API takes: from 1970 to 9999, so that nothing computed from it (a slot's
    /// end, a reminder) can leave the range chrono's arithmetic holds.
    pub fn instant(&mut self, field: &str, value: chrono::DateTime<chrono::Utc>) {
        if !instant_in_range(value) {
            self.fail(field, "must be a time from 1970 to 9999");
        }
    }

    /// A date the API takes, in the same range as [`Checks::instant`].
    pub fn date(&mut self, field: &str, value: chrono::NaiveDate) {
        use chrono::Datelike;
        if !(EARLIEST_YEAR..=LATEST_YEAR).contains(&value.year()) {
            self.fail(field, "must be a date from 1970 to 9999");
        }
    }

    /// The failures so far, taken out.
    pub fn take(&mut self) -> Vec<FieldError> {
        std::mem::take(&mut self.errors)
    }

    pub fn into_result(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self.errors))
        }
    }
}

fn is_line_break_or_control(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

const EARLIEST_YEAR: i32 = 1970;
const LATEST_YEAR: i32 = 9999;

pub fn instant_in_range(value: chrono::DateTime<chrono::Utc>) -> bool {
    use chrono::Datelike;
    (EARLIEST_YEAR..=LATEST_YEAR).contains(&value.year())
}

pub fn parse_time_zone(value: &str) -> Option<Tz> {
    value.parse::<Tz>().ok()
}

/// A pragmatic check: one `@`, a non-empty local part, a dotted domain, no spaces.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && value.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
}

/// E.164: a plus sign, then 8 to 15 digits, the first not zero. SNS wants exactly this.
pub fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("li.wei@example.cn"));
        assert!(!is_email("li.wei@example"));
        assert!(!is_email("li wei@example.cn"));
        assert!(!is_email("@example.cn"));
        assert!(!is_email("a@b@example.cn"));
    }

    #[test]
    fn phones() {
        assert!(is_e164("+8613800138000"));
        assert!(is_e164("+12125550100"));
        assert!(!is_e164("13800138000"));
        assert!(!is_e164("+0123456789"));
        assert!(!is_e164("+12-125550100"));
    }

    #[test]
    fn zones() {
        assert!(parse_time_zone("Asia/Shanghai").is_some());
        assert!(parse_time_zone("America/New_York").is_some());
        assert!(parse_time_zone("Mars/Olympus").is_none());
    }

    #[test]
    fn checks_collect_every_error() {
        let mut checks = Checks::new();
        checks.text("name", " ", 10);
        checks.email("email", "nope");
        checks.time_zone("timeZone", "Nowhere/Land");
        match checks.into_result() {
            Err(DomainError::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["name", "email", "timeZone"]);
            }
            other => panic!("expected validation errors, got {other:?}"),
        }
    }
}
