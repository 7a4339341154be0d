//! The reminder scheduler Lambda, run every minute by an EventBridge rule: wiring only.

use fairlink_telemetry::init_tracing;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    init_tracing();
    let sdk = fairlink_aws::lambda_sdk_config();
    let ports = fairlink_aws::ports(&sdk, &fairlink_aws::AwsSettings::from_env(), None).await?;
    let scheduler = &fairlink_scheduler::Scheduler::new(ports);
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let report = scheduler.sweep().await?;
            Ok::<_, lambda_runtime::Error>(serde_json::to_value(report)?)
        },
    ))
    .await
}
