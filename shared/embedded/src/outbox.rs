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

impl Outbox {
    async fn keep(
        &self,
        channel: &str,
        to: &str,
        subject: Option<&str>,
        body: &str,
    ) -> Result<(), DeliveryError> {
        let entry = OutboxEntry {
            id: self.ids.new_id("out"),
            channel: channel.into(),
            to: to.into(),
            subject: subject.map(Into::into),
            body: body.into(),
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
            .keep("email", &email.to, Some(&email.subject), &email.text)
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
        self.0.keep("sms", &sms.to, None, &sms.text).await
    }
}
