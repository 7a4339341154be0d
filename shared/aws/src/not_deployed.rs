//! The stand-in for a port whose AWS adapter this Lambda was built without: the function
//! does not use it, so a call is a wiring mistake, answered as an unavailable dependency
//! (503) rather than a crash.

use std::time::Duration;

use async_trait::async_trait;
use fairlink_domain::ports::{
    Delivery, DeliveryError, Email, EmailSender, IdentityDirectory, IdentityError, IdentitySubject,
    JobQueue, NewIdentity, QueueError, QueueName, SignInConfig, Sms, SmsSender,
};

/// Names the service whose adapter is not built into this binary.
pub struct NotDeployed(pub &'static str);

impl NotDeployed {
    fn message(&self) -> String {
        format!("{} adapter is not built into this function", self.0)
    }
}

#[async_trait]
impl JobQueue for NotDeployed {
    async fn send(&self, _: QueueName, _: &str, _: Duration) -> Result<(), QueueError> {
        Err(QueueError::Unavailable(self.message()))
    }
    async fn receive(
        &self,
        _: QueueName,
        _: usize,
        _: Duration,
    ) -> Result<Vec<Delivery>, QueueError> {
        Err(QueueError::Unavailable(self.message()))
    }
    async fn ack(&self, _: QueueName, _: &str) -> Result<(), QueueError> {
        Err(QueueError::Unavailable(self.message()))
    }
    async fn dead_letters(&self, _: QueueName, _: usize) -> Result<Vec<String>, QueueError> {
        Err(QueueError::Unavailable(self.message()))
    }
    async fn dead_letter(&self, _: QueueName, _: &Delivery) -> Result<(), QueueError> {
        Err(QueueError::Unavailable(self.message()))
    }
}

#[async_trait]
impl EmailSender for NotDeployed {
    async fn send_email(&self, _: &Email) -> Result<(), DeliveryError> {
        Err(DeliveryError::Unavailable(self.message()))
    }
}

#[async_trait]
impl SmsSender for NotDeployed {
    async fn send_sms(&self, _: &Sms) -> Result<(), DeliveryError> {
        Err(DeliveryError::Unavailable(self.message()))
    }
}

#[async_trait]
impl IdentityDirectory for NotDeployed {
    async fn create(&self, _: &NewIdentity) -> Result<IdentitySubject, IdentityError> {
        Err(IdentityError::Unavailable(self.message()))
    }
    async fn delete(&self, _: &IdentitySubject) -> Result<(), IdentityError> {
        Err(IdentityError::Unavailable(self.message()))
    }
    async fn disable(&self, _: &str) -> Result<(), IdentityError> {
        Err(IdentityError::Unavailable(self.message()))
    }
    fn sign_in_config(&self) -> SignInConfig {
        SignInConfig::dev()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_call_is_an_unavailable_error() {
        let missing = NotDeployed("SES");
        let email = Email {
            to: "a@b.example".into(),
            subject: "s".into(),
            text: "t".into(),
            html: None,
        };
        assert!(matches!(
            missing.send_email(&email).await,
            Err(DeliveryError::Unavailable(_))
        ));
        assert!(matches!(
            missing.send(QueueName::Matcher, "{}", Duration::ZERO).await,
            Err(QueueError::Unavailable(_))
        ));
    }
}
