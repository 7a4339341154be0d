//! The texts of meeting reminders and invitations: in the recipient's language, with the
//! time in the recipient's zone and Beijing time (the fair's zone) beside it.

use chrono::{DateTime, Utc};
use chrono_tz::{Asia::Shanghai, Tz};

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

/// `2026-07-15 09:00 EDT (America/New_York)`; an unknown zone reads as Beijing time.
fn local_time(at: DateTime<Utc>, zone: &str) -> (String, Tz) {
    let tz: Tz = zone.parse().unwrap_or(Shanghai);
    (
        format!(
            "{} ({})",
            at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z"),
            tz.name()
        ),
        tz,
    )
}

/// A time as Beijing time reads it: `2026-04-15 15:00`.
pub fn beijing(at: DateTime<Utc>) -> String {
    at.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub fn reminder(language: Language, zone: &str, facts: &MeetingFacts) -> ReminderText {
    let (local, tz) = local_time(facts.starts_at, zone);
    let short = facts.starts_at.with_timezone(&tz).format("%H:%M %Z");
    let bj = beijing(facts.starts_at);
    let bj_short = facts.starts_at.with_timezone(&Shanghai).format("%H:%M");
    let MeetingFacts {
        exhibitor,
        buyer,
        join_url,
        ..
    } = facts;
    match language {
        Language::En => ReminderText {
            subject: format!("Reminder: your meeting starts at {short}"),
            email: format!(
                "Your meeting between {exhibitor} and {buyer} starts in 15 minutes.\n\n\
                 Time: {local}\nBeijing time: {bj}\n\nJoin: {join_url}\n"
            ),
            sms: sms::fit(
                MAX_REMINDER_SEGMENTS,
                [exhibitor, buyer],
                |[exhibitor, buyer]| {
                    format!(
                        "fairlink: meeting {exhibitor} / {buyer} at {short} (Beijing {bj_short}). Join: {join_url}"
                    )
                },
            ),
        },
        Language::Zh => ReminderText {
            subject: format!("会议提醒：洽谈将于 {short} 开始"),
            email: format!(
                "{exhibitor} 与 {buyer} 的洽谈将在 15 分钟后开始。\n\n时间：{local}\n北京时间：{bj}\n\n入会链接：{join_url}\n"
            ),
            sms: sms::fit(
                MAX_REMINDER_SEGMENTS,
                [exhibitor, buyer],
                |[exhibitor, buyer]| {
                    format!(
                        "fairlink：{exhibitor} 与 {buyer} 的洽谈将于 {short}（北京时间 {bj_short}）开始。入会：{join_url}"
                    )
                },
            ),
        },
    }
}

/// The email that gives a colleague the meeting link.
pub fn invitation(
    language: Language,
    zone: &str,
    name: &str,
    facts: &MeetingFacts,
) -> (String, String) {
    let (local, _) = local_time(facts.starts_at, zone);
    let bj = beijing(facts.starts_at);
    let MeetingFacts {
        exhibitor,
        buyer,
        join_url,
        ..
    } = facts;
    match language {
        Language::En => (
            format!("Invitation: meeting {exhibitor} / {buyer}"),
            format!(
                "Dear {name},\n\nYou are invited to the meeting between {exhibitor} and {buyer}.\n\n\
                 Time: {local}\nBeijing time: {bj}\n\nJoin: {join_url}\n"
            ),
        ),
        Language::Zh => (
            format!("会议邀请：{exhibitor} / {buyer}"),
            format!(
                "{name}，您好：\n\n诚邀您参加 {exhibitor} 与 {buyer} 的洽谈。\n\n时间：{local}\n北京时间：{bj}\n\n入会链接：{join_url}\n"
            ),
        ),
    }
}

/// The email that tells each side a booking is confirmed.
pub fn confirmation(language: Language, zone: &str, facts: &MeetingFacts) -> (String, String) {
    let (local, _) = local_time(facts.starts_at, zone);
    let bj = beijing(facts.starts_at);
    let MeetingFacts {
        exhibitor,
        buyer,
        join_url,
        ..
    } = facts;
    match language {
        Language::En => (
            format!("Meeting confirmed: {exhibitor} / {buyer}"),
            format!(
                "Your meeting between {exhibitor} and {buyer} is confirmed.\n\n\
                 Time: {local}\nBeijing time: {bj}\n\nJoin: {join_url}\n"
            ),
        ),
        Language::Zh => (
            format!("洽谈已确认：{exhibitor} / {buyer}"),
            format!(
                "您与 {exhibitor} / {buyer} 的洽谈已确认。\n\n时间：{local}\n北京时间：{bj}\n\n入会链接：{join_url}\n"
            ),
        ),
    }
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
        for language in Language::ALL {
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
        let text = reminder(Language::En, "America/New_York", &facts(summer));
        assert!(
            text.email
                .contains("2026-07-15 09:00 EDT (America/New_York)"),
            "{}",
            text.email
        );
        assert!(text.email.contains("Beijing time: 2026-07-15 21:00"));
        assert!(
            text.sms.contains("09:00 EDT (Beijing 21:00)"),
            "{}",
            text.sms
        );
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 14, 0, 0).unwrap();
        let text = reminder(Language::En, "America/New_York", &facts(winter));
        assert!(
            text.email.contains("2026-01-15 09:00 EST"),
            "{}",
            text.email
        );
        assert!(text.email.contains("Beijing time: 2026-01-15 22:00"));
    }

    #[test]
    fn berlin_and_shanghai() {
        let at = Utc.with_ymd_and_hms(2026, 4, 15, 7, 0, 0).unwrap();
        let berlin = reminder(Language::En, "Europe/Berlin", &facts(at));
        assert!(berlin.subject.contains("09:00 CEST"), "{}", berlin.subject);
        let shanghai = reminder(Language::Zh, "Asia/Shanghai", &facts(at));
        assert!(
            shanghai
                .email
                .contains("2026-04-15 15:00 CST (Asia/Shanghai)"),
            "{}",
            shanghai.email
        );
        assert!(shanghai.email.contains("北京时间：2026-04-15 15:00"));
        assert!(
            shanghai
                .sms
                .contains("入会：https://meet.example/fairlink-x")
        );
    }
}
