//! The notifier worker: sends emails (SES v2) and SMS (SNS) from the notifier queue, among
//! them the meeting reminders, in each recipient's language and time zone with Beijing time
//! beside it (DESIGN.md, "Queue-driven workers").
//!
//! Each message is sent at most once per (booking, recipient, channel) or per email key,
//! however often the queue delivers it: a send is claimed first (a conditional write) and the
//! claim is given back only when sending failed in a way worth retrying.

use std::time::Duration;

use async_trait::async_trait;
use fairlink_domain::{
    DomainError, Ports,
    jobs::{NotifierJob, reminder_delay},
    model::{Account, BookingStatus},
    ports::{DeliveryError, Email, JobError, Sms, Worker},
    reminders::{MeetingFacts, reminder},
};
use fairlink_store::Repository;

/// In-process attempts before a throttled send goes back to the queue (whose redelivery
/// after the visibility timeout is the longer backoff, and whose DLQ is the last stop).
const ATTEMPTS: u32 = 3;
/// A send whose outcome is unknown (no answer in time) may have gone out: it is tried once
/// more at most, then taken as sent (the claim kept), never left to the queue to send again.
const UNKNOWN_ATTEMPTS: u32 = 2;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

pub struct Notifier {
    repo: Repository,
    ports: Ports,
    first_backoff: Duration,
}

#[async_trait]
impl Worker for Notifier {
    type Job = NotifierJob;
    /// Each reminder waits on its sends, and reminders do not touch each other's items: a
    /// batch of ten at 50,000 meetings a slot goes out together.
    const CONCURRENT_JOBS: usize = 10;

    async fn run(&self, job: NotifierJob) -> Result<(), JobError> {
        let outcome = match job {
            NotifierJob::Reminder { booking_id } => self.reminders(&booking_id).await,
            NotifierJob::Email {
                key,
                to,
                subject,
                text,
                language,
            } => {
                let email = Email::new(&to, &subject, text, language);
                self.send_once(&key, Message::Email(&email))
                    .await
                    .map(|_| ())
            }
        };
        outcome.map_err(JobError::from)
    }
}

enum Message<'a> {
    Email(&'a Email),
    Sms(&'a Sms),
}

/// What came of one send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Now,
    Before,
    /// Refused for good (a phone number SNS rejects): not retried, the others still go.
    Rejected,
    /// Tried twice without knowing whether it went out: not tried again.
    Unknown,
}

impl Notifier {
    pub fn new(ports: Ports) -> Self {
        Self::with_backoff(ports, FIRST_BACKOFF)
    }

    /// With another first backoff (tests shorten it).
    pub fn with_backoff(ports: Ports, first_backoff: Duration) -> Self {
        Self {
            repo: Repository::new(ports.store.clone(), ports.queue.clone()),
            ports,
            first_backoff,
        }
    }

    /// Sends a booking's reminders: SMS (where a phone is known) and email to the receiving
    /// account and to the buyer. Nothing for a booking no longer confirmed or already over.
    async fn reminders(&self, bkid: &str) -> Result<(), DomainError> {
        let Some(booking) = self.repo.booking(bkid).await? else {
            return Ok(());
        };
        let now = self.ports.clock.now();
        if booking.status != BookingStatus::Confirmed || now >= booking.ends_at {
            return Ok(());
        }
        // Early (a delay cut short): wait for the rest of it in the queue.
        if booking.reminder_at() > now + chrono::Duration::seconds(1)
            && let Some(delay) = reminder_delay(booking.reminder_at(), now)
        {
            let job = NotifierJob::Reminder {
                booking_id: booking.id.clone(),
            };
            job.enqueue(self.ports.queue.as_ref(), delay).await?;
            return Ok(());
        }
        if booking.assignee_id.is_none() {
            return Ok(());
        }
        let meeting = self.repo.meeting(booking).await?;
        let facts = meeting.facts();
        // Both sides at once, each whatever became of the other's.
        let outcomes = futures::future::join_all(
            meeting
                .active_participants()
                .map(|recipient| self.remind(&meeting.booking.id, recipient, &facts)),
        )
        .await;
        outcomes.into_iter().collect()
    }

    async fn remind(
        &self,
        bkid: &str,
        to: &Account,
        facts: &MeetingFacts<'_>,
    ) -> Result<(), DomainError> {
        let text = reminder(to.language, &to.time_zone, facts);
        let email = Email::new(&to.email, &text.subject, text.email, to.language);
        let email_key = format!("reminder:{bkid}:{}:email", to.id);
        let send_email = self.send_once(&email_key, Message::Email(&email));
        // The SMS goes at the same time, whatever becomes of the email, and the other way
        // round.
        let sms = to.phone.as_deref().map(|phone| Sms::new(phone, &text.sms));
        let sms_key = format!("reminder:{bkid}:{}:sms", to.id);
        let send_sms = async {
            match &sms {
                Some(sms) => self
                    .send_once(&sms_key, Message::Sms(sms))
                    .await
                    .map(|_| ()),
                None => Ok(()),
            }
        };
        let (email_outcome, sms_outcome) = futures::join!(send_email, send_sms);
        email_outcome?;
        sms_outcome
    }

    /// Claims the send named `key`, sends with a short backoff on throttling, and gives the
    /// claim back when it still failed, so that the queue's redelivery tries again.
    async fn send_once(&self, key: &str, message: Message<'_>) -> Result<Sent, DomainError> {
        if !self.repo.claim_sent(key, self.ports.clock.now()).await? {
            return Ok(Sent::Before);
        }
        let mut backoff = self.first_backoff;
        let mut attempt = 1;
        let mut unknown = 0;
        loop {
            let outcome = match &message {
                Message::Email(email) => self.ports.email.send_email(email).await,
                Message::Sms(sms) => self.ports.sms.send_sms(sms).await,
            };
            match outcome {
                Ok(()) => return Ok(Sent::Now),
                Err(DeliveryError::Rejected(reason)) => {
                    tracing::warn!(key, reason, "message refused for good; not retried");
                    return Ok(Sent::Rejected);
                }
                Err(err) if err.may_have_gone_out() => {
                    unknown += 1;
                    if unknown >= UNKNOWN_ATTEMPTS {
                        // Sending it again could send it twice: the claim stays.
                        tracing::warn!(key, error = %err, "outcome unknown twice; taken as sent");
                        return Ok(Sent::Unknown);
                    }
                    tracing::info!(key, error = %err, "outcome unknown; trying once more");
                    attempt += 1;
                }
                Err(err) if attempt < ATTEMPTS => {
                    tracing::info!(key, error = %err, attempt, "sending failed; trying again");
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                    attempt += 1;
                }
                Err(err) => {
                    self.repo.release_sent(key).await?;
                    return Err(err.into());
                }
            }
        }
    }
}
