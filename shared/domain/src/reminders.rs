//! The texts of meeting reminders and invitations: in the recipient's language, with the
//! time in the recipient's zone and Beijing time (the fair's zone) beside it.

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use chrono_tz::{Asia::Shanghai, Tz};
use fairlink_texts::{Moment, Texts, Value};

use crate::model::{Account, Booking, Language};
use crate::sms;

/// A reminder SMS is at most this many segments in every language (long names shortened).
pub const MAX_REMINDER_SEGMENTS: usize = 2;

/// A meeting with its people, read once (`Repository::meeting`): every text about it —
/// confirmation, invitation, reminder, calendar file — says its facts from here.
#[derive(Debug, Clone)]
pub struct Meeting {
    pub booking: Booking,
    pub exhibitor_name: String,
    pub buyer: Option<Account>,
    /// Who receives the buyer, once the booking is assigned.
    pub assignee: Option<Account>,
}

impl Meeting {
    pub fn buyer_name(&self) -> &str {
        self.buyer.as_ref().map_or("", |b| b.name.as_str())
    }

    /// Who meets whom, when and where.
    pub fn facts(&self) -> MeetingFacts<'_> {
        MeetingFacts {
            exhibitor: &self.exhibitor_name,
            buyer: self.buyer_name(),
            starts_at: self.booking.starts_at,
            join_url: self
                .booking
                .meeting
                .as_ref()
                .map_or("", |m| m.join_url.as_str()),
        }
    }

    /// Its participants who are told: the assignee and the buyer, while active (a
    /// deactivated account gets no email, no reminder and no join link).
    pub fn active_participants(&self) -> impl Iterator<Item = &Account> {
        [&self.assignee, &self.buyer]
            .into_iter()
            .flatten()
            .filter(|account| account.active)
    }
}

/// What a reminder is about.
pub struct MeetingFacts<'a> {
    pub exhibitor: &'a str,
    pub buyer: &'a str,
    pub starts_at: DateTime<Utc>,
    pub join_url: &'a str,
}

/// A reminder's texts for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderText {
    pub subject: String,
    pub email: String,
    pub sms: String,
}

/// An instant as a reader's wall clock shows it.
fn moment<Z: TimeZone>(at: DateTime<Z>) -> Moment {
    Moment {
        year: at.year(),
        month: at.month() as u8,
        day: at.day() as u8,
        hour: at.hour() as u8,
        minute: at.minute() as u8,
    }
}

/// A time as Beijing time reads it, in the reader's language: `Apr 15, 2026, 3:00 PM`,
/// `2026年4月15日 15:00`.
pub fn beijing(texts: &Texts, at: DateTime<Utc>) -> String {
    texts.date_time(&moment(at.with_timezone(&Shanghai)))
}

/// When a meeting is, as one reader reads it.
struct When {
    /// Date and time in the reader's zone.
    local: String,
    /// The zone's abbreviation and name: `EDT (America/New_York)`.
    zone: String,
    /// The time alone in the reader's zone: `9:00 AM EDT`.
    time: String,
    /// Date and time in Beijing.
    beijing: String,
    /// The time alone in Beijing.
    beijing_time: String,
}

/// An unknown zone reads as Beijing time.
fn when(texts: &Texts, zone: &str, at: DateTime<Utc>) -> When {
    let tz: Tz = zone.parse().unwrap_or(Shanghai);
    let local = at.with_timezone(&tz);
    let abbreviation = local.format("%Z").to_string();
    When {
        local: texts.date_time(&moment(local)),
        zone: format!("{abbreviation} ({})", tz.name()),
        time: format!("{} {abbreviation}", texts.time(&moment(local))),
        beijing: beijing(texts, at),
        beijing_time: texts.time(&moment(at.with_timezone(&Shanghai))),
    }
}

/// The variables every email about a meeting says.
fn meeting_args<'a>(facts: &'a MeetingFacts, when: &'a When) -> Vec<(&'static str, Value<'a>)> {
    vec![
        ("exhibitor", facts.exhibitor.into()),
        ("buyer", facts.buyer.into()),
        ("local", when.local.as_str().into()),
        ("zone", when.zone.as_str().into()),
        ("beijing", when.beijing.as_str().into()),
        ("link", facts.join_url.into()),
    ]
}

pub fn reminder(language: Language, zone: &str, facts: &MeetingFacts) -> ReminderText {
    let texts = language.texts();
    let when = when(&texts, zone, facts.starts_at);
    let sms = sms::fit(
        MAX_REMINDER_SEGMENTS,
        [facts.exhibitor, facts.buyer],
        |[exhibitor, buyer]| {
            texts.say(
                "reminder-sms",
                &[
                    ("exhibitor", exhibitor.into()),
                    ("buyer", buyer.into()),
                    ("time", when.time.as_str().into()),
                    ("beijing", when.beijing_time.as_str().into()),
                    ("link", facts.join_url.into()),
                ],
            )
        },
    );
    ReminderText {
        subject: texts.say(
            "reminder-email-subject",
            &[("time", when.time.as_str().into())],
        ),
        email: texts.say("reminder-email-body", &meeting_args(facts, &when)),
        sms,
    }
}

/// The email that gives a colleague the meeting link: subject and text.
pub fn invitation(
    language: Language,
    zone: &str,
    name: &str,
    facts: &MeetingFacts,
) -> (String, String) {
    let texts = language.texts();
    let when = when(&texts, zone, facts.starts_at);
    let mut args = meeting_args(facts, &when);
    args.push(("name", name.into()));
    (
        texts.say("invitation-email-subject", &args),
        texts.say("invitation-email-body", &args),
    )
}

/// The email that tells each side a booking is confirmed: subject and text.
pub fn confirmation(language: Language, zone: &str, facts: &MeetingFacts) -> (String, String) {
    let texts = language.texts();
    let when = when(&texts, zone, facts.starts_at);
    let args = meeting_args(facts, &when);
    (
        texts.say("confirmation-email-subject", &args),
        texts.say("confirmation-email-body", &args),
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn facts(at: DateTime<Utc>) -> MeetingFacts<'static> {
        MeetingFacts {
            exhibitor: "Acme Audio",
            buyer: "Ann Lee",
            starts_at: at,
            join_url: "https://meet.example/fairlink-x",
        }
    }

    #[test]
    fn a_reminder_sms_is_at_most_two_segments_in_every_language() {
        let at = Utc.with_ymd_and_hms(2026, 4, 15, 1, 0, 0).unwrap();
        let long = MeetingFacts {
            exhibitor: "Guangdong Huizhou Precision Consumer Electronics Manufacturing Co., Ltd. 广东惠州精密消费电子制造有限公司",
            buyer: "Maria Fernanda de los Ángeles Rodríguez-Villanueva y Castellanos",
            starts_at: at,
            join_url: "https://meet.example/fairlink-bkg_01m98yg3f3yvb048j9nd4ax3wq",
        };
        for language in Language::FAIR_DEFAULTS {
            let short = reminder(language, "America/Sao_Paulo", &facts(at)).sms;
            assert!(
                sms::size(&short).segments <= MAX_REMINDER_SEGMENTS,
                "{language:?}: {short}"
            );
            assert!(
                short.contains("Acme Audio") && short.contains("Ann Lee"),
                "names that fit stay whole: {short}"
            );
            let text = reminder(language, "America/Sao_Paulo", &long).sms;
            let size = sms::size(&text);
            assert!(
                size.segments <= MAX_REMINDER_SEGMENTS,
                "{language:?}: {size:?} {text}"
            );
            assert!(
                text.contains(long.join_url),
                "the link is never cut: {text}"
            );
            assert!(text.contains('…') || text.contains("..."), "{text}");
        }
    }

    #[test]
    fn new_york_in_summer_and_in_winter() {
        let summer = Utc.with_ymd_and_hms(2026, 7, 15, 13, 0, 0).unwrap();
        let text = reminder(Language::EN, "America/New_York", &facts(summer));
        assert!(
            text.email
                .contains("Time: Jul 15, 2026, 9:00 AM EDT (America/New_York)"),
            "{}",
            text.email
        );
        assert!(text.email.contains("Beijing time: Jul 15, 2026, 9:00 PM"));
        assert!(
            text.sms.contains("9:00 AM EDT (Beijing 9:00 PM)"),
            "{}",
            text.sms
        );
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 14, 0, 0).unwrap();
        let text = reminder(Language::EN, "America/New_York", &facts(winter));
        assert!(
            text.email.contains("Jan 15, 2026, 9:00 AM EST"),
            "{}",
            text.email
        );
        assert!(text.email.contains("Beijing time: Jan 15, 2026, 10:00 PM"));
    }

    #[test]
    fn berlin_and_shanghai() {
        let at = Utc.with_ymd_and_hms(2026, 4, 15, 7, 0, 0).unwrap();
        let berlin = reminder(Language::EN, "Europe/Berlin", &facts(at));
        assert!(
            berlin.subject.contains("9:00 AM CEST"),
            "{}",
            berlin.subject
        );
        let shanghai = reminder(Language::ZH, "Asia/Shanghai", &facts(at));
        assert!(
            shanghai
                .email
                .contains("2026年4月15日 15:00 CST (Asia/Shanghai)"),
            "{}",
            shanghai.email
        );
        assert!(shanghai.email.contains("北京时间：2026年4月15日 15:00"));
        assert!(
            shanghai
                .sms
                .contains("入会：https://meet.example/fairlink-x")
        );
    }

    #[test]
    fn each_default_language_writes_its_own_reminder_and_dates() {
        let at = Utc.with_ymd_and_hms(2026, 4, 15, 7, 0, 0).unwrap();
        let english = reminder(Language::EN, "Europe/Madrid", &facts(at));
        for (language, zone, date) in [
            (Language::ES, "Europe/Madrid", "15 abr 2026"),
            (Language::FR, "Europe/Paris", "15 avr. 2026"),
            (Language::RU, "Europe/Moscow", "15 апр. 2026"),
            (Language::AR, "Asia/Riyadh", "2026"),
            (Language::PT, "America/Sao_Paulo", "15 de abr. de 2026"),
        ] {
            let text = reminder(language, zone, &facts(at));
            assert_ne!(text.subject, english.subject, "{language}");
            assert!(text.email.contains(date), "{language}: {}", text.email);
            assert!(text.email.contains(zone), "{language}: {}", text.email);
            assert!(text.sms.contains("https://meet.example/fairlink-x"));
        }
        let arabic = reminder(Language::AR, "Asia/Riyadh", &facts(at));
        assert!(
            arabic
                .email
                .chars()
                .any(|c| ('\u{0600}'..='\u{06ff}').contains(&c))
        );
        let russian = reminder(Language::RU, "Europe/Moscow", &facts(at));
        assert!(russian.email.chars().any(|c| ('а'..='я').contains(&c)));
    }
}
