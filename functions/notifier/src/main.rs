//! The notifier Lambda (SQS-triggered): wiring only.

use std::sync::Arc;

use fairlink_telemetry::init_tracing;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let sdk = fairlink_aws::lambda_sdk_config();
    let ports = fairlink_aws::ports(&sdk, &fairlink_aws::AwsSettings::from_env(), None).await?;
    let dead_letters = fairlink_aws::lambda_sqs::DeadLetters {
        queue: ports.queue.clone(),
        name: fairlink_domain::ports::QueueName::Notifier,
    };
    let notifier = fairlink_notifier::Notifier::new(ports);
    fairlink_aws::lambda_sqs::run_sqs_worker(Arc::new(notifier), dead_letters).await
}
