//! The realtime Lambda (SQS-triggered): wiring only.

use std::sync::Arc;

use fairlink_telemetry::init_tracing;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let sdk = fairlink_aws::lambda_sdk_config();
    let ports = fairlink_aws::ports(&sdk, &fairlink_aws::AwsSettings::from_env(), None).await?;
    let pusher = Arc::new(fairlink_aws::ApiGatewaySockets::from_env(&sdk)?);
    let worker = fairlink_realtime::RealtimeWorker::new(&ports, pusher);
    let dead_letters = fairlink_aws::lambda_sqs::DeadLetters {
        queue: ports.queue.clone(),
        name: fairlink_domain::ports::QueueName::Realtime,
    };
    fairlink_aws::lambda_sqs::run_sqs_worker(Arc::new(worker), dead_letters).await
}
