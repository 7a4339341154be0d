//! AWS adapters of fairlink's ports: DynamoDB, SQS, SES v2 and SNS, through the real SDK
//! clients. `AWS_ENDPOINT_URL` points them at an emulator (moto) for local runs and tests.

pub mod bootstrap;
mod dynamodb;
mod email;
pub mod lambda_sqs;
mod sms;
mod sqs;
mod translate;

use std::{sync::Arc, time::Duration};

use aws_config::{SdkConfig, timeout::TimeoutConfig};
use fairlink_domain::ports::{Clock, Ports, SystemClock, UlidGenerator};

pub use dynamodb::DynamoItemStore;
pub use email::SesEmailSender;
pub use sms::SnsSmsSender;
pub use sqs::SqsJobQueue;
pub use translate::AmazonTranslate;

/// Where fairlink's AWS resources are. In Lambda the template sets these variables; in local
/// mode the defaults name what the bootstrap creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsSettings {
    /// `FAIRLINK_STACK`: the prefix of the queues' names in local mode.
    pub stack: String,
    /// `FAIRLINK_TABLE`.
    pub table: String,
    /// `FAIRLINK_EMAIL_FROM`: a verified SES identity.
    pub email_from: String,
    /// `FAIRLINK_TRANSLATE=amazon`: translate messages with Amazon Translate; otherwise no
    /// provider is configured and translation answers 503.
    pub amazon_translate: bool,
    /// `FAIRLINK_AWS_ATTEMPT_TIMEOUT_MS` (2,000) and `FAIRLINK_AWS_TIMEOUT_MS` (5,000): how
    /// long one attempt of an AWS call, and the call with its retries, may take before it
    /// fails as unavailable (a 503 to the client) instead of hanging the request.
    pub attempt_timeout: Duration,
    pub operation_timeout: Duration,
}

impl AwsSettings {
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Self {
        let stack = var("FAIRLINK_STACK").unwrap_or_else(|| "fairlink".into());
        Self {
            table: var("FAIRLINK_TABLE").unwrap_or_else(|| stack.clone()),
            email_from: var("FAIRLINK_EMAIL_FROM")
                .unwrap_or_else(|| "no-reply@fairlink.example".into()),
            amazon_translate: var("FAIRLINK_TRANSLATE").as_deref() == Some("amazon"),
            attempt_timeout: millis(var("FAIRLINK_AWS_ATTEMPT_TIMEOUT_MS"), 2_000),
            operation_timeout: millis(var("FAIRLINK_AWS_TIMEOUT_MS"), 5_000),
            stack,
        }
    }
}

fn millis(value: Option<String>, default: u64) -> Duration {
    Duration::from_millis(value.and_then(|v| v.parse().ok()).unwrap_or(default))
}

impl AwsSettings {
    /// The SDK configuration with these settings' timeouts (the SDK sets none by default
    /// but for connecting, so an endpoint that stops answering would hold a request).
    pub fn with_timeouts(&self, sdk: &SdkConfig) -> SdkConfig {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(self.attempt_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .operation_timeout(self.operation_timeout)
            .build();
        sdk.to_builder().timeout_config(timeouts).build()
    }
}

/// Loads the SDK configuration the usual way (environment, profile, role).
pub async fn sdk_config() -> SdkConfig {
    aws_config::load_from_env().await
}

/// Every port backed by AWS, with the system clock unless another is given.
pub async fn ports(
    sdk: &SdkConfig,
    settings: &AwsSettings,
    clock: Option<Arc<dyn Clock>>,
) -> Result<Ports, String> {
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    let sdk = &settings.with_timeouts(sdk);
    let queue = SqsJobQueue::connect(aws_sdk_sqs::Client::new(sdk), &settings.stack).await?;
    Ok(Ports {
        store: Arc::new(DynamoItemStore::new(
            aws_sdk_dynamodb::Client::new(sdk),
            &settings.table,
        )),
        queue: Arc::new(queue),
        email: Arc::new(SesEmailSender::new(
            aws_sdk_sesv2::Client::new(sdk),
            &settings.email_from,
        )),
        sms: Arc::new(SnsSmsSender::new(aws_sdk_sns::Client::new(sdk))),
        ids: Arc::new(UlidGenerator::new(clock.clone())),
        meetings: Arc::new(fairlink_domain::ports::JitsiRooms::from_env()),
        translator: if settings.amazon_translate {
            Arc::new(AmazonTranslate::new(aws_sdk_translate::Client::new(sdk)))
        } else {
            Arc::new(fairlink_domain::ports::NoTranslator)
        },
        clock,
    })
}
