use async_trait::async_trait;
use aws_sdk_sns::Client;
use fairlink_domain::ports::{DeliveryError, Sms, SmsSender};

use crate::email::delivery_error;

/// The SMS port on SNS: a direct publish to a phone number.
pub struct SnsSmsSender {
    client: Client,
}

impl SnsSmsSender {
    pub fn new(client: Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl SmsSender for SnsSmsSender {
    async fn send_sms(&self, sms: &Sms) -> Result<(), DeliveryError> {
        self.client
            .publish()
            .phone_number(&sms.to)
            .message(&sms.text)
            .send()
            .await
            .map_err(delivery_error)?;
        Ok(())
    }
}
