//! The notifications Lambda: wiring only.

use fairlink_http::lambda_main;
use fairlink_telemetry::init_tracing;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    init_tracing();
    let sdk = fairlink_aws::lambda_sdk_config();
    let ports = fairlink_aws::ports(&sdk, &fairlink_aws::AwsSettings::from_env(), None).await?;
    lambda_main(fairlink_notifications::lambda_app(ports)).await
}
