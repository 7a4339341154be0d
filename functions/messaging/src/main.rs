//! The messaging Lambda: wiring only.

use fairlink_http::lambda_main;
use fairlink_telemetry::init_tracing;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_tracing();
    let sdk = fairlink_aws::lambda_sdk_config();
    let ports = fairlink_aws::ports(&sdk, &fairlink_aws::AwsSettings::from_env(), None).await?;
    let message_limit = std::env::var("FAIRLINK_MESSAGE_LIMIT")
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.parse())
        .transpose()
        .map_err(|e| format!("FAIRLINK_MESSAGE_LIMIT: {e}"))?;
    lambda_main(fairlink_messaging::lambda_app_limited(ports, message_limit)).await
}
