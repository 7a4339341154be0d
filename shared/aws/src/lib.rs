//! AWS adapters of fairlink's ports: DynamoDB, SQS, SES v2 and SNS, through the real SDK
//! clients. `AWS_ENDPOINT_URL` points them at an emulator (moto) for local runs and tests.
//!
//! The SQS, SES, SNS and Translate adapters are features (`queue`, `email`, `sms`,
//! `translate`), so each Lambda links only the SDK clients it uses; a port whose adapter is
//! not built in answers `NotDeployed` errors.

#[cfg(all(feature = "queue", feature = "email", feature = "identity"))]
pub mod bootstrap;
#[cfg(feature = "identity")]
mod cognito;
mod dynamodb;
#[cfg(feature = "email")]
mod email;
pub mod lambda_sqs;
mod not_deployed;
#[cfg(feature = "sms")]
mod sms;
#[cfg(feature = "sockets")]
mod sockets;
#[cfg(feature = "queue")]
mod sqs;
#[cfg(feature = "translate")]
mod translate;

use std::{sync::Arc, time::Duration};

use aws_config::{BehaviorVersion, SdkConfig, timeout::TimeoutConfig};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use fairlink_domain::ports::{Clock, Ports, SystemClock, UlidGenerator};

#[cfg(feature = "identity")]
pub use cognito::{ACCOUNT_ATTRIBUTE, CognitoIdentities};
pub use dynamodb::DynamoItemStore;
#[cfg(feature = "email")]
pub use email::SesEmailSender;
pub use not_deployed::NotDeployed;
#[cfg(feature = "sms")]
pub use sms::SnsSmsSender;
#[cfg(feature = "sockets")]
pub use sockets::ApiGatewaySockets;
#[cfg(feature = "queue")]
pub use sqs::SqsJobQueue;
#[cfg(feature = "translate")]
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
    /// `FAIRLINK_AWS_SEND_TIMEOUT_MS` (10,000): how long an email or SMS send may take. A
    /// send that got no answer may have gone out, so the SDK never retries one (the notifier
    /// tries it once more at most); it is given longer than other calls instead.
    pub send_timeout: Duration,
    /// `FAIRLINK_USER_POOL_ID` and `FAIRLINK_USER_POOL_CLIENT_ID`: the Cognito user pool that
    /// holds the accounts' sign-in identities. Without it accounts get development
    /// identities (only `POST /v1/dev/tokens` signs in as them).
    pub user_pool: Option<UserPool>,
}

/// A user pool and the web front-end's app client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPool {
    pub id: String,
    pub client_id: String,
}

impl UserPool {
    /// The pool's region is the prefix of its id (`us-east-1_AbC`).
    pub fn region(&self) -> &str {
        self.id.split('_').next().unwrap_or_default()
    }

    /// The `iss` of the pool's tokens.
    pub fn issuer(&self) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            self.region(),
            self.id
        )
    }
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
            send_timeout: millis(var("FAIRLINK_AWS_SEND_TIMEOUT_MS"), 10_000),
            user_pool: match (
                var("FAIRLINK_USER_POOL_ID"),
                var("FAIRLINK_USER_POOL_CLIENT_ID"),
            ) {
                (Some(id), Some(client_id)) => Some(UserPool { id, client_id }),
                _ => None,
            },
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

    /// The SDK configuration of the email and SMS clients: one attempt (a send that timed
    /// out may have gone out, and an SDK retry would send it again), given `send_timeout`.
    pub fn for_sends(&self, sdk: &SdkConfig) -> SdkConfig {
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(self.attempt_timeout)
            .operation_attempt_timeout(self.send_timeout)
            .operation_timeout(self.send_timeout)
            .build();
        sdk.to_builder()
            .timeout_config(timeouts)
            .retry_config(aws_smithy_types::retry::RetryConfig::standard().with_max_attempts(1))
            .build()
    }
}

/// The HTTPS client of every SDK client: hyper 1 with rustls on ring (the SDKs' default
/// would bring aws-lc, twice ring's size in every bootstrap).
pub fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// The SDK configuration of a Lambda, from the variables Lambda sets: its region and its
/// role's credentials (`AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`), and `AWS_ENDPOINT_URL` when set. Nothing else is looked for: the
/// default chain (profiles, SSO, web identity through STS, IMDS) would cost start-up time
/// and about half a megabyte of every bootstrap, and Lambda never needs it.
pub fn lambda_sdk_config() -> SdkConfig {
    use aws_config::{Region, environment::EnvironmentVariableCredentialsProvider};
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_smithy_async::{rt::sleep::TokioSleep, time::SystemTimeSource};
    use aws_smithy_types::retry::RetryConfig;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(
            env("AWS_REGION")
                .or_else(|| env("AWS_DEFAULT_REGION"))
                .map(Region::new),
        )
        .credentials_provider(SharedCredentialsProvider::new(
            EnvironmentVariableCredentialsProvider::new(),
        ))
        .http_client(https_client())
        .sleep_impl(TokioSleep::new())
        .time_source(SystemTimeSource::new())
        .retry_config(RetryConfig::standard());
    if let Some(url) = env("AWS_ENDPOINT_URL") {
        config = config.endpoint_url(url);
    }
    config.build()
}

/// Loads the SDK configuration the usual way (environment, profile, role): fairlink-local.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .load()
        .await
}

/// The ports of a Lambda that makes accounts (accounts, organizer): from its environment,
/// refusing to start without the user pool, as accounts made without it could never sign in.
pub async fn identity_lambda_ports() -> Result<Ports, String> {
    let settings = AwsSettings::from_env();
    if settings.user_pool.is_none() {
        return Err("FAIRLINK_USER_POOL_ID and FAIRLINK_USER_POOL_CLIENT_ID must be set".into());
    }
    ports(&lambda_sdk_config(), &settings, None).await
}

/// Every port backed by AWS, with the system clock unless another is given.
pub async fn ports(
    sdk: &SdkConfig,
    settings: &AwsSettings,
    clock: Option<Arc<dyn Clock>>,
) -> Result<Ports, String> {
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    #[cfg(any(feature = "email", feature = "sms"))]
    let sends = &settings.for_sends(sdk);
    let sdk = &settings.with_timeouts(sdk);
    #[cfg(feature = "queue")]
    let queue =
        Arc::new(SqsJobQueue::connect(aws_sdk_sqs::Client::new(sdk), &settings.stack).await?);
    #[cfg(not(feature = "queue"))]
    let queue = Arc::new(NotDeployed("the SQS queues"));
    #[cfg(feature = "email")]
    let email = Arc::new(SesEmailSender::new(
        aws_sdk_sesv2::Client::new(sends),
        &settings.email_from,
    ));
    #[cfg(not(feature = "email"))]
    let email = Arc::new(NotDeployed("SES"));
    #[cfg(feature = "sms")]
    let sms = Arc::new(SnsSmsSender::new(aws_sdk_sns::Client::new(sends)));
    #[cfg(not(feature = "sms"))]
    let sms = Arc::new(NotDeployed("SNS"));
    let translator: Arc<dyn fairlink_domain::ports::Translator> = if settings.amazon_translate {
        #[cfg(feature = "translate")]
        {
            Arc::new(AmazonTranslate::new(aws_sdk_translate::Client::new(sdk)))
        }
        #[cfg(not(feature = "translate"))]
        {
            Arc::new(fairlink_domain::ports::NoTranslator)
        }
    } else {
        Arc::new(fairlink_domain::ports::NoTranslator)
    };
    let identities: Arc<dyn fairlink_domain::ports::IdentityDirectory> = match &settings.user_pool {
        #[cfg(feature = "identity")]
        Some(pool) => Arc::new(CognitoIdentities::new(
            aws_sdk_cognitoidentityprovider::Client::new(sdk),
            pool.clone(),
        )),
        #[cfg(not(feature = "identity"))]
        Some(_) => Arc::new(NotDeployed("Cognito")),
        None => Arc::new(fairlink_domain::ports::DevTokenIdentities),
    };
    Ok(Ports {
        identities,
        store: Arc::new(DynamoItemStore::new(
            aws_sdk_dynamodb::Client::new(sdk),
            &settings.table,
        )),
        queue,
        email,
        sms,
        ids: Arc::new(UlidGenerator::new(clock.clone())),
        meetings: Arc::new(fairlink_domain::ports::JitsiRooms::from_env()),
        translator,
        clock,
    })
}
