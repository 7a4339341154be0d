//! The matcher Lambda (SQS-triggered): wiring only. The embedding model comes with the
//! function's layer (`infra/model-layer/Makefile`), at `FAIRLINK_MODEL_PATH`.

use std::{path::PathBuf, sync::Arc};

use fairlink_telemetry::init_tracing;

/// Where the model layer puts the model.
const LAYER_MODEL: &str = "/opt/model/e5-small-q4.bin";

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let sdk = fairlink_aws::lambda_sdk_config();
    let ports = fairlink_aws::ports(&sdk, &fairlink_aws::AwsSettings::from_env(), None).await?;
    let path = std::env::var_os("FAIRLINK_MODEL_PATH")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(LAYER_MODEL));
    let embedder = Arc::new(fairlink_embedding::E5Embedder::shared(&path)?);
    let dead_letters = fairlink_aws::lambda_sqs::DeadLetters {
        queue: ports.queue.clone(),
        name: fairlink_domain::ports::QueueName::Matcher,
    };
    let matcher = fairlink_matcher::Matcher::new(ports, embedder);
    fairlink_aws::lambda_sqs::run_sqs_worker(Arc::new(matcher), dead_letters).await
}
