//! Email and SMS adapters that send nothing: they keep what they would have sent in the
//! store, where `GET /v1/dev/outbox` lists it.

use std::sync::Arc;

use async_trait::async_trait;
use fairlink_domain::ports::{
    Clock, DeliveryError, Email, EmailSender, IdGenerator, Sms, SmsSender,
};
use fairlink_store::{OutboxEntry, Repository};

pub struct Outbox {
    repo: Repository,
    clock: Arc<dyn Clock>,
    ids: Arc<dyn IdGenerator>,
}

/// What the outbox keeps of one message.
struct Kept<'a> {
    channel: &'static str,
    to: &'a str,
    subject: Option<&'a str>,
    body: &'a str,
    html: Option<&'a str>,
}

impl Outbox {
    async fn keep(&self, kept: Kept<'_>) -> Result<(), DeliveryError> {
        let channel = kept.channel;
        let entry = OutboxEntry {
            id: self.ids.new_id("out"),
            channel: channel.into(),
            to: kept.to.into(),
            subject: kept.subject.map(Into::into),
            body: kept.body.into(),
            html: kept.html.map(Into::into),
            sent_at: self.clock.now(),
        };
        tracing::info!(channel, id = %entry.id, "kept in the outbox");
        self.repo
            .add_to_outbox(&entry)
            .await
            .map_err(|e| DeliveryError::Unavailable(e.to_string()))
    }
}

pub struct OutboxEmailSender(Outbox);

impl OutboxEmailSender {
    pub fn new(repo: Repository, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Self {
        Self(Outbox { repo, clock, ids })
    }
}

#[async_trait]
impl EmailSender for OutboxEmailSender {
    async fn send_email(&self, email: &Email) -> Result<(), DeliveryError> {
        self.0
            .keep(Kept {
                channel: "email",
                to: &email.to,
                subject: Some(&email.subject),
                body: &email.text,
                html: email.html.as_deref(),
            })
            .await
    }
}

pub struct OutboxSmsSender(Outbox);

impl OutboxSmsSender {
    pub fn new(repo: Repository, clock: Arc<dyn Clock>, ids: Arc<dyn IdGenerator>) -> Self {
        Self(Outbox { repo, clock, ids })
    }
}

#[async_trait]
impl SmsSender for OutboxSmsSender {
    async fn send_sms(&self, sms: &Sms) -> Result<(), DeliveryError> {
        if !fairlink_domain::validate::is_e164(&sms.to) {
            // SNS refuses such numbers too; the outbox should not be kinder.
            return Err(DeliveryError::Rejected(format!(
                "not an E.164 phone number: {}",
                sms.to
            )));
        }
        self.0
            .keep(Kept {
                channel: "sms",
                to: &sms.to,
                subject: None,
                body: &sms.text,
                html: None,
            })
            .await
    }
}
